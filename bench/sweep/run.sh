#!/usr/bin/env bash
# Blocklist sweep benchmark: Postmaster's real sweep path (published app, HTTP API, Quartz chunks,
# SQLite) against a local rbldnsd, compared in the same run with dnsperf, rblcheck and adnshost
# asking the same server the same questions. See bench/README.md ("Blocklist sweeps").
#
# Needs root: rbldnsd listens on 127.0.0.1:53 (rblcheck and adnshost can only use port 53), the
# peers get a private /etc/resolv.conf through a mount namespace, and missing packages are installed.
#
# Usage: bench/sweep/run.sh            (settings: see the variables below; all can be overridden)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
RESULTS="$OUT_DIR/sweep-results.md"

# --- settings -------------------------------------------------------------------------------------
NET16="${NET16:-198.18}"                 # the /16 swept is $NET16.0.0/16 (198.18.0.0/15 is RFC 2544 benchmarking space)
LISTED_PER_MILLE="${LISTED_PER_MILLE:-10}" # share of the /16 each zone lists (10 = 1 %), plus test point 127.0.0.2
PEER_IPS="${PEER_IPS:-auto}"             # IPs of the /16 the peers ask about: auto (all, unless a probe says too slow) or a number
PEER_BUDGET_SECONDS="${PEER_BUDGET_SECONDS:-300}" # "auto" falls back to the first 4,096 IPs when a peer would exceed this
DNSPERF_ARGS="${DNSPERF_ARGS:--c 1 -q 100}" # dnsperf's defaults; more outstanding queries overflow rbldnsd's socket (lost queries)
DNSPERF_RUNS="${DNSPERF_RUNS:-3}"        # dnsperf passes over the file; the median is reported
ADNS_BATCH="${ADNS_BATCH:-100}"          # names per adnshost process (it sends all of them at once; see README)
WARM_SWEEP="${WARM_SWEEP:-1}"            # 1: after the measured sweep, sweep again in the same process (reported apart)
START_TIMEOUT="${START_TIMEOUT:-90}"     # seconds for the app to answer /healthz
SWEEP_TIMEOUT="${SWEEP_TIMEOUT:-1800}"   # seconds for one sweep to finish
PEER_TIMEOUT="${PEER_TIMEOUT:-900}"      # seconds for one peer run
PUBLISH_TIMEOUT="${PUBLISH_TIMEOUT:-900}"
KEEP_WORK="${KEEP_WORK:-0}"              # 1: keep the temp folder (zones, logs, query files)

ZONES=(zen.spamhaus.org b.barracudacentral.org bl.spamcop.net)
SLUGS=(spamhaus-zen barracuda-brbl spamcop-scbl)
API_KEY="pm_bench_key_0123456789abcdefghij"
DNS_PORT=53

# --- helpers --------------------------------------------------------------------------------------
PIDS=()
WORK=""
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }   # calc EXPR [DECIMALS]
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
TICKS="$(getconf CLK_TCK)"

stop_pid() { # stop_pid PID: TERM, up to 10 s, then KILL; only processes this script started
    local pid="$1" i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ "$KEEP_WORK" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites --------------------------------------------------------------------------------
[[ "$(id -u)" == 0 ]] || die "run as root: rbldnsd must listen on 127.0.0.1:53 and the peers need a mount namespace."
command -v dotnet >/dev/null || die "dotnet (SDK 10) not found."
for tool in awk curl ss timeout unshare mount xargs; do command -v "$tool" >/dev/null || die "$tool not found."; done

missing=()
command -v dnsperf >/dev/null || missing+=(dnsperf)
command -v rblcheck >/dev/null || missing+=(rblcheck)
command -v adnshost >/dev/null || missing+=(adns-tools)
[[ -x /usr/sbin/rbldnsd ]] || command -v rbldnsd >/dev/null || missing+=(rbldnsd)
command -v jq >/dev/null || missing+=(jq)
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
fi
RBLDNSD="$(command -v rbldnsd || echo /usr/sbin/rbldnsd)"

if ss -Hlun "sport = :$DNS_PORT" | awk '{ print $4 }' | grep -Eq '^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):'; then
    ss -lunp "sport = :$DNS_PORT" >&2
    die "UDP port $DNS_PORT on 127.0.0.1 is taken (see above); stop that server first."
fi

free_tcp_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        [[ -z "$(ss -Hltn "sport = :$p")" ]] && { echo "$p"; return; }
    done
    die "no free TCP port found"
}

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/postmaster-sweep-bench.XXXXXX)"
chmod 755 "$WORK"   # rbldnsd chroots here and reads the zones as user rbldns
log "work folder $WORK"

# --- data: zones and query files ------------------------------------------------------------------
# Each zone lists about LISTED_PER_MILLE/1000 of the /16, a different pseudo-random set per zone
# (multiplicative hash of the index), plus 127.0.0.2 (the RFC 5782 test point; 127.0.0.1 stays unlisted).
A="${NET16%%.*}" B="${NET16#*.}"
for z in 0 1 2; do
    awk -v salt="$z" -v a="$A" -v b="$B" -v pm="$LISTED_PER_MILLE" 'BEGIN {
        print ":127.0.0.2:Listed by the Postmaster sweep benchmark: $"
        print "127.0.0.2"
        for (i = 0; i < 65536; i++) {
            h = (i * 2654435761 + salt * 40503) % 4294967296
            if (int(h / 65536) % 1000 < pm) print a "." b "." int(i / 256) "." (i % 256)
        }
    }' >"$WORK/zone$z.txt"
    chmod 644 "$WORK/zone$z.txt"
done
zone_specs=("${ZONES[0]}:ip4set:zone0.txt" "${ZONES[1]}:ip4set:zone1.txt" "${ZONES[2]}:ip4set:zone2.txt")

# expected listed (ip, zone) pairs among the first N IPs of the /16
expected_listed() {
    cat "$WORK"/zone{0,1,2}.txt | awk -v a="$A" -v b="$B" -v n="$1" -F. '
        NF == 4 && $1 == a && $2 == b && ($3 * 256 + $4) < n { c++ } END { print c + 0 }'
}

# names.txt: reversed-ip.zone for every IP of the /16 × the 3 zones, in sweep order (IP-major)
awk -v a="$A" -v b="$B" -v z="${ZONES[*]}" 'BEGIN {
    split(z, Z, " ")
    for (i = 0; i < 65536; i++) for (k = 1; k <= 3; k++) print (i % 256) "." int(i / 256) "." b "." a "." Z[k]
}' >"$WORK/names.txt"
awk '{ print $0 " A" }' "$WORK/names.txt" >"$WORK/dnsperf.txt"
awk -v a="$A" -v b="$B" 'BEGIN { for (i = 0; i < 65536; i++) print a "." b "." int(i / 256) "." (i % 256) }' >"$WORK/ips.txt"
printf 'nameserver 127.0.0.1\n' >"$WORK/resolv.conf"

# --- rbldnsd --------------------------------------------------------------------------------------
# The same zone files through a dump first: rbldnsd only logs bad lines, so check it has none.
if "$RBLDNSD" -d -w "$WORK" "${zone_specs[@]}" 2>&1 >/dev/null | grep -q '^rbldnsd:'; then
    "$RBLDNSD" -d -w "$WORK" "${zone_specs[@]}" 2>&1 >/dev/null | head >&2
    die "rbldnsd rejected the generated zone data"
fi
rbldns_user=nobody; getent passwd rbldns >/dev/null && rbldns_user=rbldns
"$RBLDNSD" -n -b "127.0.0.1/$DNS_PORT" -r "$WORK" -w / -u "$rbldns_user" "${zone_specs[@]}" >"$WORK/rbldnsd.log" 2>&1 &
RBLDNSD_PID=$!
PIDS+=("$RBLDNSD_PID")

# adnshost in "resolv.conf-free" mode for probes (the peers' own runs use the system resolver path).
probe() { timeout 5 adnshost --config "nameserver 127.0.0.1" -Fi -ta "$1" 2>/dev/null || true; }
for i in $(seq 100); do
    kill -0 "$RBLDNSD_PID" 2>/dev/null || { cat "$WORK/rbldnsd.log" >&2; die "rbldnsd exited"; }
    [[ "$(probe "2.0.0.127.${ZONES[0]}")" == *127.0.0.2* ]] && break
    ((i == 100)) && { cat "$WORK/rbldnsd.log" >&2; die "rbldnsd did not answer within 10 s"; }
    sleep 0.1
done
for z in "${ZONES[@]}"; do
    [[ "$(probe "2.0.0.127.$z")" == *127.0.0.2* ]] || die "$z does not list 127.0.0.2"
    [[ "$(probe "1.0.0.127.$z")" == *nxdomain* ]] || die "$z does not answer NXDOMAIN for 127.0.0.1"
done
log "rbldnsd (pid $RBLDNSD_PID) serves ${ZONES[*]} on 127.0.0.1:$DNS_PORT; $(expected_listed 65536) listed (ip, zone) pairs in $NET16.0.0/16"

# --- Postmaster -----------------------------------------------------------------------------------
log "publishing Postmaster.Web (Release)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
timeout "$PUBLISH_TIMEOUT" dotnet publish "$ROOT/src/Postmaster.Web" -c Release -o "$WORK/publish" >"$WORK/publish.log" 2>&1 ||
    { tail -30 "$WORK/publish.log" >&2; die "dotnet publish failed"; }

APP_PID="" APP_URL="" APP_LOG=""
start_app() { # start_app NAME
    local name="$1" port data
    port="$(free_tcp_port)"
    data="$WORK/data-$name"
    mkdir -p "$data"
    APP_URL="http://127.0.0.1:$port"
    APP_LOG="$WORK/app-$name.log"
    env Postmaster__DataDirectory="$data" \
        Postmaster__TemplatesDirectory="$ROOT/templates" \
        Postmaster__Bootstrap__AdminEmail=bench@example.test \
        Postmaster__Bootstrap__AdminPassword=benchmark-password-123 \
        Postmaster__Bootstrap__ApiKey="$API_KEY" \
        Postmaster__Blocklists__ScheduledSweeps=false \
        Postmaster__Dns__Servers__0="127.0.0.1:$DNS_PORT" \
        Postmaster__Dns__TimeoutSeconds=2 \
        Postmaster__Dns__Retries=1 \
        Logging__LogLevel__Default=Warning \
        ASPNETCORE_ENVIRONMENT=Production \
        dotnet "$WORK/publish/Postmaster.Web.dll" --urls "$APP_URL" >"$APP_LOG" 2>&1 &
    APP_PID=$!
    PIDS+=("$APP_PID")
    local deadline=$((SECONDS + START_TIMEOUT))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP_URL/healthz")" == 200 ]]; do
        kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$APP_LOG" >&2; die "the app exited during start-up"; }
        ((SECONDS < deadline)) || { tail -30 "$APP_LOG" >&2; die "the app did not answer /healthz within ${START_TIMEOUT} s"; }
        sleep 0.2
    done
}

api() { # api METHOD PATH [JSON]: prints the body, fails on HTTP >= 400
    local method="$1" path="$2" body="${3:-}" args=()
    [[ -n "$body" ]] && args=(-H 'Content-Type: application/json' --data "$body")
    curl -sS --fail-with-body --max-time 30 -X "$method" -H "Authorization: Bearer $API_KEY" "${args[@]}" "$APP_URL$path"
}

prepare_app() { # prepare_app CIDR: only the 3 bench lists enabled, one range asset
    local lists id slug
    lists="$(api GET /api/blocklists)"
    for slug in "${SLUGS[@]}"; do
        jq -e --arg s "$slug" 'any(.[]; .slug == $s)' <<<"$lists" >/dev/null || die "catalog list $slug missing"
    done
    for id in $(jq -r --arg keep "${SLUGS[*]}" '.[] | select(.slug as $s | ($keep | split(" ") | index($s)) | not) | select(.enabled) | .id' <<<"$lists"); do
        api PATCH "/api/blocklists/$id" '{"enabled": false}' >/dev/null
    done
    for id in $(jq -r --arg keep "${SLUGS[*]}" '.[] | select(.slug as $s | ($keep | split(" ") | index($s))) | select(.enabled | not) | .id' <<<"$lists"); do
        api PATCH "/api/blocklists/$id" '{"enabled": true}' >/dev/null
    done
    api POST /api/assets "{\"value\": \"$1\", \"label\": \"bench\"}" >/dev/null || die "the app refused the asset $1"
}

# sweep NAME: runs one sweep and sets S_* variables
sweep() {
    local name="$1" t0 t1 c0 c1 r0 r1 id body state deadline
    c0="$(cpu_ticks "$APP_PID")"; r0="$(cpu_ticks "$RBLDNSD_PID")"
    t0="$(now)"
    id="$(api POST /api/sweeps '{}' | jq -r .id)"
    deadline=$((SECONDS + SWEEP_TIMEOUT))
    S_PEAK_THREADS=0
    while :; do
        body="$(api GET "/api/sweeps/$id")"
        state="$(jq -r .state <<<"$body")"
        [[ "$state" == completed || "$state" == failed ]] && break
        ((SECONDS < deadline)) || { S_TIMED_OUT=1; break; }
        kill -0 "$APP_PID" 2>/dev/null || die "the app died during the $name sweep: $(tail -5 "$APP_LOG")"
        local th; th="$(status_kb "$APP_PID" Threads)"; ((th > S_PEAK_THREADS)) && S_PEAK_THREADS=$th
        sleep 0.25
    done
    t1="$(now)"
    c1="$(cpu_ticks "$APP_PID")"; r1="$(cpu_ticks "$RBLDNSD_PID")"
    echo "$body" >"$WORK/sweep-$name.json"
    S_STATE="$state"
    S_TOTAL="$(jq -r .total <<<"$body")"; S_DONE="$(jq -r .done <<<"$body")"
    S_LISTED="$(jq -r .listed <<<"$body")"; S_UNKNOWN="$(jq -r .unknown <<<"$body")"
    S_NOTES="$(jq -r '.notes // ""' <<<"$body" | tr '\n' ' ')"; S_ERROR="$(jq -r '.error // ""' <<<"$body" | tr '\n' ' ')"
    S_WALL="$(calc "$t1 - $t0" 2)"
    local started finished
    started="$(jq -r '.startedAt // empty' <<<"$body")"; finished="$(jq -r '.finishedAt // empty' <<<"$body")"
    if [[ -n "$started" && -n "$finished" ]]; then
        S_RUN="$(calc "$(date -d "$finished" +%s.%N) - $(date -d "$started" +%s.%N)" 3)"
        S_QPS="$(calc "$S_DONE / ($S_RUN > 0 ? $S_RUN : 0.001)" 0)"
    else
        S_RUN="n/a"; S_QPS=0
    fi
    S_APP_CORES="$(calc "($c1 - $c0) / $TICKS / ($t1 - $t0)" 2)"
    S_RBL_CORES="$(calc "($r1 - $r0) / $TICKS / ($t1 - $t0)" 2)"
    log "  $name: $state, $S_DONE/$S_TOTAL queries, $S_LISTED listed, $S_UNKNOWN unknown; run ${S_RUN} s (${S_QPS} q/s), wall ${S_WALL} s; app ${S_APP_CORES} cores, rbldnsd ${S_RBL_CORES} cores"
    [[ -n "$S_NOTES" ]] && log "  notes: $S_NOTES"
    [[ -n "$S_ERROR" ]] && log "  error: $S_ERROR"
    [[ "$state" == completed ]] || log "  WARNING: the $name sweep did not complete (state $state)"
}

declare -A R # results
app_run() { # app_run NAME CIDR: fresh process and data folder, one measured sweep (+ a warm one)
    local name="$1" cidr="$2"
    log "Postmaster $name: $cidr (fresh process and data folder)"
    start_app "$name"
    prepare_app "$cidr"
    R[$name.rss_before]="$(status_kb "$APP_PID" VmRSS)"
    S_TIMED_OUT=0
    sweep "$name"
    R[$name.hwm]="$(status_kb "$APP_PID" VmHWM)"
    for k in STATE TOTAL DONE LISTED UNKNOWN NOTES ERROR WALL RUN QPS APP_CORES RBL_CORES PEAK_THREADS; do
        local v="S_$k"; R[$name.${k,,}]="${!v}"
    done
    R[$name.expected]="$(expected_listed "$(( 1 << (32 - ${cidr#*/}) ))")"
    if [[ "$WARM_SWEEP" == 1 && "$S_STATE" == completed ]]; then
        sweep "$name-warm"
        R[$name.warm_qps]="$S_QPS"; R[$name.warm_run]="$S_RUN"; R[$name.warm_unknown]="$S_UNKNOWN"
        R[$name.warm_cores]="$S_APP_CORES"; R[$name.warm_hwm]="$(status_kb "$APP_PID" VmHWM)"
    fi
    log "  peak RSS (VmHWM) ${R[$name.hwm]} kB; RSS before the sweep ${R[$name.rss_before]} kB"
    stop_pid "$APP_PID"
}

app_run 20 "$NET16.0.0/20"
app_run 16 "$NET16.0.0/16"

# --- peers ----------------------------------------------------------------------------------------
in_ns() { # in_ns CMD...: run with /etc/resolv.conf = nameserver 127.0.0.1, in a private mount namespace
    timeout "$PEER_TIMEOUT" unshare -m --propagation private sh -c \
        'mount --bind "$0" /etc/resolv.conf && exec env -u LOCALDOMAIN -u RES_OPTIONS "$@"' "$WORK/resolv.conf" "$@"
}

# dnsperf
log "dnsperf $DNSPERF_ARGS, $DNSPERF_RUNS passes over $(wc -l <"$WORK/dnsperf.txt") queries"
dnsperf_qps=()
for run in $(seq "$DNSPERF_RUNS"); do
    # shellcheck disable=SC2086
    timeout "$PEER_TIMEOUT" dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$WORK/dnsperf.txt" -n 1 $DNSPERF_ARGS >"$WORK/dnsperf-$run.txt" 2>&1 ||
        { cat "$WORK/dnsperf-$run.txt" >&2; die "dnsperf failed"; }
    q="$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$WORK/dnsperf-$run.txt")"
    lost="$(awk '/Queries lost:/ { print $3 }' "$WORK/dnsperf-$run.txt")"
    noerror="$(grep -o 'NOERROR [0-9]*' "$WORK/dnsperf-$run.txt" | awk '{ print $2 }')"
    log "  pass $run: $q q/s, $lost lost, ${noerror:-0} NOERROR (listed)"
    dnsperf_qps+=("$q")
    R[dnsperf.lost]="$((${R[dnsperf.lost]:-0} + lost))"
    R[dnsperf.listed]="${noerror:-0}"
done
R[dnsperf.qps]="$(printf '%s\n' "${dnsperf_qps[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
R[dnsperf.all]="${dnsperf_qps[*]}"
R[dnsperf.queries]="$(wc -l <"$WORK/dnsperf.txt")"

# How many IPs the two stub-resolver peers get: all 65,536 unless a 1,024-IP probe says too slow.
peer_ips() { # peer_ips NAME SECONDS_FOR_1024
    if [[ "$PEER_IPS" != auto ]]; then echo "$PEER_IPS"; return; fi
    local estimate; estimate="$(calc "$2 * 64" 0)"
    if ((estimate > PEER_BUDGET_SECONDS)); then
        log "  $1 would take about $estimate s for the /16: using the first 4,096 IPs"
        echo 4096
    else
        echo 65536
    fi
}

# rblcheck: -c clears its built-in lists, each -s adds one zone; addresses from stdin ('-').
# It prints the listed addresses and exits with the number of listings, so its exit code is not checked.
run_rblcheck() { # run_rblcheck N → stdout of rblcheck
    head -n "$1" "$WORK/ips.txt" | in_ns rblcheck -q -c -s "${ZONES[0]}" -s "${ZONES[1]}" -s "${ZONES[2]}" - || true
}
log "rblcheck (one process, addresses on stdin, sequential blocking lookups through the libc resolver)"
t0="$(now)"; run_rblcheck 1024 >/dev/null; probe_s="$(calc "$(now) - $t0" 3)"
n="$(peer_ips rblcheck "$probe_s")"
t0="$(now)"; run_rblcheck "$n" >"$WORK/rblcheck.out"; t1="$(now)"
R[rblcheck.ips]="$n"; R[rblcheck.queries]=$((n * 3)); R[rblcheck.wall]="$(calc "$t1 - $t0" 2)"
R[rblcheck.qps]="$(calc "$n * 3 / ($t1 - $t0)" 0)"
R[rblcheck.listed]="$(wc -w <"$WORK/rblcheck.out")"
R[rblcheck.expected]="$(expected_listed "$n")"
log "  $n IPs × 3 zones in ${R[rblcheck.wall]} s: ${R[rblcheck.qps]} q/s, ${R[rblcheck.listed]} listed (expected ${R[rblcheck.expected]})"

# adnshost: -a (answers in any order), -Fi (failures inline on stdout), -ta (type A); names as
# arguments, ADNS_BATCH per process, one process after another.
run_adnshost() { # run_adnshost N_IPS → stdout
    head -n "$(($1 * 3))" "$WORK/names.txt" | in_ns xargs -n "$ADNS_BATCH" adnshost -a -Fi -ta || true
}
log "adnshost (batches of $ADNS_BATCH names per process, sequential)"
t0="$(now)"; run_adnshost 1024 >/dev/null; probe_s="$(calc "$(now) - $t0" 3)"
n="$(peer_ips adnshost "$probe_s")"
t0="$(now)"; run_adnshost "$n" >"$WORK/adnshost.out"; t1="$(now)"
R[adnshost.ips]="$n"; R[adnshost.queries]=$((n * 3)); R[adnshost.wall]="$(calc "$t1 - $t0" 2)"
R[adnshost.qps]="$(calc "$n * 3 / ($t1 - $t0)" 0)"
R[adnshost.listed]="$(grep -c ' A ' "$WORK/adnshost.out" || true)"
R[adnshost.nxdomain]="$(grep -c '^; failed permfail' "$WORK/adnshost.out" || true)"
R[adnshost.failed]="$(grep '^; failed' "$WORK/adnshost.out" | grep -vc '^; failed permfail' || true)"
R[adnshost.expected]="$(expected_listed "$n")"
log "  $n IPs × 3 zones in ${R[adnshost.wall]} s: ${R[adnshost.qps]} q/s, ${R[adnshost.listed]} listed (expected ${R[adnshost.expected]}), ${R[adnshost.failed]} failed (timeouts etc.)"

# --- report ---------------------------------------------------------------------------------------
pm="${R[16.qps]}"
ratio() { [[ "${1:-0}" != 0 && "${2:-0}" != 0 ]] && calc "$1 / $2" 3 || echo n/a; }
r_dnsperf="$(ratio "$pm" "${R[dnsperf.qps]}")"
r_rblcheck="$(ratio "$pm" "${R[rblcheck.qps]}")"
r_adnshost="$(ratio "$pm" "${R[adnshost.qps]}")"
r_rss="$(ratio "${R[16.hwm]}" "${R[20.hwm]}")"
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "n/a") { print "n/a"; exit }
    ok = (op == ">=" ? v >= t : op == ">" ? v > t : v <= t); print (ok ? "met" : "NOT met") }'; }
g1="$(verdict "$r_dnsperf" '>=' 0.5)"; g2="$(verdict "$r_rblcheck" '>' 1)"
g3="$(verdict "$r_adnshost" '>' 1)"; g4="$(verdict "$r_rss" '<=' 1.2)"
[[ "${R[16.state]}" == completed ]] || { g1="NOT met (sweep ${R[16.state]})"; g2="$g1"; g3="$g1"; }
mb() { calc "$1 / 1024" 1; }
subset() { (($1 < 65536)) && echo " (first $1 IPs: a subset)" || true; }

{
    echo "# Blocklist sweep benchmark"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) CPUs, $(uname -r), .NET $(dotnet --version 2>/dev/null), $("$RBLDNSD" -h 2>&1 | head -1 | sed 's/.*version //'),"
    echo "git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src has uncommitted changes)')."
    echo "rbldnsd on 127.0.0.1:$DNS_PORT serves ${ZONES[*]} (ip4set, ${LISTED_PER_MILLE}‰ of $NET16.0.0/16 listed each, plus 127.0.0.2)."
    echo "Postmaster: published Release build, SQLite, only those 3 catalog lists enabled, one range asset, \`POST /api/sweeps\`;"
    echo "q/s = total ÷ (finishedAt − startedAt) of the run (the health checks come before startedAt); wall = POST to completed as polled."
    echo
    echo "| tool | queries | q/s | wall s | listed found / expected | notes |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
    echo "| Postmaster /16 | ${R[16.done]}/${R[16.total]} | ${R[16.qps]} | ${R[16.wall]} | ${R[16.listed]} / ${R[16.expected]} | ${R[16.state]}, ${R[16.unknown]} unknown, run ${R[16.run]} s, app ${R[16.app_cores]} cores, rbldnsd ${R[16.rbl_cores]} cores |"
    echo "| Postmaster /20 | ${R[20.done]}/${R[20.total]} | ${R[20.qps]} | ${R[20.wall]} | ${R[20.listed]} / ${R[20.expected]} | ${R[20.state]}, ${R[20.unknown]} unknown, run ${R[20.run]} s, app ${R[20.app_cores]} cores |"
    [[ -n "${R[16.warm_qps]:-}" ]] && echo "| Postmaster /16, 2nd sweep same process | ${R[16.total]} | ${R[16.warm_qps]} | | | run ${R[16.warm_run]} s, ${R[16.warm_unknown]} unknown, app ${R[16.warm_cores]} cores (warm JIT, listings already known) |"
    echo "| dnsperf | ${R[dnsperf.queries]} | ${R[dnsperf.qps]} | | ${R[dnsperf.listed]} / ${R[16.expected]} | \`$DNSPERF_ARGS\`, median of ${DNSPERF_RUNS} passes (${R[dnsperf.all]// /, } q/s), ${R[dnsperf.lost]} lost in all |"
    echo "| rblcheck | ${R[rblcheck.queries]} | ${R[rblcheck.qps]} | ${R[rblcheck.wall]} | ${R[rblcheck.listed]} / ${R[rblcheck.expected]} | one process, sequential$(subset "${R[rblcheck.ips]}") |"
    echo "| adnshost | ${R[adnshost.queries]} | ${R[adnshost.qps]} | ${R[adnshost.wall]} | ${R[adnshost.listed]} / ${R[adnshost.expected]} | ${ADNS_BATCH} names per process, ${R[adnshost.failed]} failed$(subset "${R[adnshost.ips]}") |"
    echo
    echo "| goal | figure | target | |"
    echo "| --- | ---: | --- | --- |"
    echo "| Postmaster ÷ dnsperf (q/s) | $r_dnsperf | ≥ 0.5 | $g1 |"
    echo "| Postmaster ÷ rblcheck (q/s) | $r_rblcheck | > 1 | $g2 |"
    echo "| Postmaster ÷ adnshost (q/s) | $r_adnshost | > 1 | $g3 |"
    echo "| peak RSS /16 ÷ /20 | $r_rss ($(mb "${R[16.hwm]}") MiB ÷ $(mb "${R[20.hwm]}") MiB) | ≤ 1.2 (flat: 16× the addresses) | $g4 |"
    echo
    echo "Peak RSS is VmHWM of the app process after its first sweep (fresh process and data folder each);"
    echo "RSS before the sweep (started, lists set, asset added): /20 $(mb "${R[20.rss_before]}") MiB, /16 $(mb "${R[16.rss_before]}") MiB."
    [[ -n "${R[16.warm_hwm]:-}" ]] && echo "After a second sweep in the same process: /20 $(mb "${R[20.warm_hwm]}") MiB, /16 $(mb "${R[16.warm_hwm]}") MiB. Peak thread count during the first sweep: /20 ${R[20.peak_threads]}, /16 ${R[16.peak_threads]}."
    for name in 20 16; do
        [[ -n "${R[$name.notes]}" ]] && echo "Sweep /$name notes: ${R[$name.notes]}"
        [[ -n "${R[$name.error]}" ]] && echo "Sweep /$name error: ${R[$name.error]}"
    done
    true
} >"$RESULTS"

echo
cat "$RESULTS"
echo
log "written to ${RESULTS#"$ROOT"/}"

#!/usr/bin/env bash
# Alert latency benchmark: how long after the change that caused it a new incident's email is in
# the recipient's mailbox (PRODUCT.md "Performance goals": within 10 s of the sweep chunk or ingest
# batch with StackingMinutes=0, within the window plus 10 s otherwise). See bench/alerts/README.md.
#
# The published app on a fresh SQLite folder sweeps a local rbldnsd zone and takes rejections
# through POST /api/signals; its alert mail goes over real SMTP to Debian's aiosmtpd, which writes
# each message to a Maildir: a message's arrival is its file's mtime. Everything binds 127.0.0.1.
# The last line on stdout is the summary other tools read:
#   alert latency s: sweep A, ingest B, stacked C
# (A and B the worst of the window-0 rounds, C the worst digest latency minus the window; one decimal).
#
# Usage: bench/alerts/run.sh            (settings: see the variables below; all can be overridden)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
RESULTS="$OUT_DIR/alerts-results.md"

# --- settings -------------------------------------------------------------------------------------
ASSETS="${ASSETS:-20}"                   # single-IP assets added (and listed) per round: each opens its own incident
ROUNDS="${ROUNDS:-5}"                    # window-0 rounds (new IPs each round)
STACK_MINUTES="${STACK_MINUTES:-1}"      # scenario B's stacking window (minutes; 0 skips scenario B)
STACK_ROUNDS="${STACK_ROUNDS:-3}"        # scenario B's rounds (each lasts at least the window)
REJECTIONS="${REJECTIONS:-5}"            # rejections per ingest batch (the shipped episode threshold is 3 per hour)
GOAL_SECONDS="${GOAL_SECONDS:-10}"       # the product's goal: mail within this many seconds (plus the window)
MAIL_TIMEOUT="${MAIL_TIMEOUT:-60}"       # seconds (past the window) to wait for a round's mail before giving up on it
SWEEP_TIMEOUT="${SWEEP_TIMEOUT:-120}"    # seconds for one sweep to complete
START_TIMEOUT="${START_TIMEOUT:-120}"    # seconds for the app to answer /healthz
PUBLISH_TIMEOUT="${PUBLISH_TIMEOUT:-900}"
POLL="${POLL:-0.1}"                      # seconds between looks at the Maildir (arrival times come from mtimes, not from polling)
APP_SETTINGS="${APP_SETTINGS:-}"         # extra app settings, space-separated KEY=VALUE (environment variables)
KEEP_WORK="${KEEP_WORK:-0}"              # 1: keep the temp folder (app logs, Maildirs, SQLite data, zone)
BUILD_REV="${BUILD_REV:-}"               # build this revision (git archive) instead of the working tree
case "$(uname -m)" in aarch64 | arm64) RID=linux-arm64 ;; *) RID=linux-x64 ;; esac
PUBLISH_ARGS="${PUBLISH_ARGS-"-r $RID --self-contained false -p:PublishReadyToRun=true"}" # as the Dockerfile publishes; PUBLISH_ARGS= for plain IL

ZONE=zen.spamhaus.org                    # served by rbldnsd; the catalog's spamhaus-zen asks it
SLUG=spamhaus-zen                        # the one catalog list left enabled
LISTED_NET=198.18                        # the zone lists all of 198.18.0.0/16 (RFC 2544 space): assets come from there
INGEST_NET=198.19                        # rejected source IPs: outside the inventory (each its own incident group)
RECIPIENT="ops@alerts.bench.test"
ADMIN_EMAIL="bench-admin@alerts.bench.test"
ADMIN_PASSWORD="benchmark-password-123"
API_KEY="pm_bench_alerts_key_0123456789abcdef"
PUBLIC_URL="https://postmaster.bench.test"
# Microsoft's S3150 network block as an Outlook.com MX answered it (templates/providers/microsoft/examples.json).
S3150="550 5.7.1 Unfortunately, messages from [204.11.58.44] weren't sent. Please contact your Internet service provider since part of their network is on our block list (AS3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BY2NAM01FT030.eop-nam01.prod.protection.outlook.com]"
OUTLOOK_MX="hotmail-com.olc.protection.outlook.com"

# --- helpers --------------------------------------------------------------------------------------
PIDS=()
WORK="" APP_PID="" RBLDNSD_PID="" SMTP_PID=""
declare -A R # results
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
calc() { awk "function max0(x) { return x < 0 ? 0 : x } BEGIN { printf \"%.${2:-2}f\", $1 }"; } # calc EXPR [DECIMALS]
epoch() { date -d "$1" +%s.%N; } # ISO 8601 (the API's times) → seconds since the epoch
TICKS="$(getconf CLK_TCK)"
NCPU="$(nproc)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }  # user nice system irq softirq, all CPUs
steal_ticks() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# CPU used by this script and its waited-for children (curl, jq), the app, rbldnsd and aiosmtpd
own_ticks() {
    local t p
    t="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat")"
    for p in "$APP_PID" "$RBLDNSD_PID" "$SMTP_PID"; do [[ -n "$p" ]] && t=$((t + $(cpu_ticks "$p"))); done
    echo "$t"
}

stop_pid() { # stop_pid PID: TERM, up to 10 s, then KILL; only processes this script started
    local pid="$1" keep=() p
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    for p in "${PIDS[@]}"; do [[ "$p" == "$pid" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ "$KEEP_WORK" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    WORK="" PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites --------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "dotnet (SDK 10) not found."
for tool in awk curl ss timeout getconf date stat; do command -v "$tool" >/dev/null || die "$tool not found."; done
missing=()
[[ -x /usr/sbin/rbldnsd ]] || command -v rbldnsd >/dev/null || missing+=(rbldnsd)
[[ -x /usr/bin/aiosmtpd ]] || missing+=(python3-aiosmtpd)
command -v jq >/dev/null || missing+=(jq)
if ((${#missing[@]})); then
    [[ "$(id -u)" == 0 ]] || die "${missing[*]} missing and installing needs root: apt-get install ${missing[*]}"
    log "installing ${missing[*]}"
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
fi
RBLDNSD="$(command -v rbldnsd || echo /usr/sbin/rbldnsd)"
PY=/usr/bin/python3 # the interpreter Debian's aiosmtpd runs on (its email package reads the Maildir)

free_port() { # free_port tcp|udp: a port nothing listens on at 127.0.0.1
    local p flag=-Hltn
    [[ "$1" == udp ]] && flag=-Hlun
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        [[ -z "$(ss "$flag" "sport = :$p")" ]] && { echo "$p"; return; }
    done
    die "no free $1 port found"
}

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/postmaster-alert-bench.XXXXXX)"
chmod 755 "$WORK" # rbldnsd chroots here and reads the zone as an unprivileged user
log "work folder $WORK"
LOAD_START="$(loadavg)"
RUN_B0="$(busy_ticks)"; RUN_S0="$(steal_ticks)"; RUN_T0="$(now)"

# --- rbldnsd --------------------------------------------------------------------------------------
# The whole of LISTED_NET/16 is listed, so every asset a round adds is found on its first sweep; the
# RFC 5782 test point 127.0.0.2 is listed (and 127.0.0.1 not) so the app's list health check passes.
printf ':127.0.0.2:Listed by the Postmaster alert benchmark: $\n127.0.0.2\n%s.0.0/16\n' "$LISTED_NET" >"$WORK/zone.txt"
chmod 644 "$WORK/zone.txt"
if "$RBLDNSD" -d -w "$WORK" "$ZONE:ip4set:zone.txt" 2>&1 >/dev/null | grep -q '^rbldnsd:'; then
    "$RBLDNSD" -d -w "$WORK" "$ZONE:ip4set:zone.txt" 2>&1 >/dev/null | head >&2
    die "rbldnsd rejected the zone data"
fi
DNS_PORT="$(free_port udp)"
rbldns_user=nobody; getent passwd rbldns >/dev/null && rbldns_user=rbldns
rbl_args=(-n -b "127.0.0.1/$DNS_PORT" -r "$WORK" -w /)
[[ "$(id -u)" == 0 ]] && rbl_args+=(-u "$rbldns_user")
"$RBLDNSD" "${rbl_args[@]}" "$ZONE:ip4set:zone.txt" >"$WORK/rbldnsd.log" 2>&1 &
RBLDNSD_PID=$!
PIDS+=("$RBLDNSD_PID")
for i in $(seq 100); do
    kill -0 "$RBLDNSD_PID" 2>/dev/null || { cat "$WORK/rbldnsd.log" >&2; die "rbldnsd exited"; }
    [[ -n "$(ss -Hlun "sport = :$DNS_PORT")" ]] && break
    ((i == 100)) && die "rbldnsd did not listen on 127.0.0.1:$DNS_PORT within 10 s"
    sleep 0.1
done
log "rbldnsd (pid $RBLDNSD_PID) serves $ZONE ($LISTED_NET.0.0/16 and 127.0.0.2) on 127.0.0.1:$DNS_PORT"

# --- aiosmtpd -------------------------------------------------------------------------------------
SMTP_PORT="" MAILDIR=""
start_smtp() { # start_smtp NAME: a fresh Maildir per scenario
    MAILDIR="$WORK/maildir-$1"
    mkdir -p "$MAILDIR"/{new,cur,tmp}
    SMTP_PORT="$(free_port tcp)"
    /usr/bin/aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" >"$WORK/aiosmtpd-$1.log" 2>&1 &
    SMTP_PID=$!
    PIDS+=("$SMTP_PID")
    local i
    for i in $(seq 100); do
        kill -0 "$SMTP_PID" 2>/dev/null || { cat "$WORK/aiosmtpd-$1.log" >&2; die "aiosmtpd exited"; }
        [[ -n "$(ss -Hltn "sport = :$SMTP_PORT")" ]] && break
        ((i == 100)) && die "aiosmtpd did not listen on 127.0.0.1:$SMTP_PORT within 10 s"
        sleep 0.1
    done
    log "aiosmtpd (pid $SMTP_PID) on 127.0.0.1:$SMTP_PORT writes to $MAILDIR"
}
mails() { "$PY" "$HERE/maildir.py" "$MAILDIR" "$RECIPIENT"; } # arrival \t file \t incident ids \t subject

# --- Postmaster -----------------------------------------------------------------------------------
SRC_ROOT="$ROOT"
if [[ -n "$BUILD_REV" ]]; then
    SRC_ROOT="$WORK/tree"
    mkdir -p "$SRC_ROOT"
    git -C "$ROOT" archive "$BUILD_REV" | tar -x -C "$SRC_ROOT" || die "git archive $BUILD_REV failed"
    BUILT="git $(git -C "$ROOT" rev-parse --short "$BUILD_REV") ($BUILD_REV)"
else
    BUILT="git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes under src/')"
fi
log "publishing Postmaster.Web (Release${PUBLISH_ARGS:+ $PUBLISH_ARGS}) from $BUILT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# shellcheck disable=SC2086
timeout "$PUBLISH_TIMEOUT" dotnet publish "$SRC_ROOT/src/Postmaster.Web" -c Release --disable-build-servers $PUBLISH_ARGS -o "$WORK/publish" >"$WORK/publish.log" 2>&1 ||
    { tail -30 "$WORK/publish.log" >&2; die "dotnet publish failed"; }

APP_URL="" APP_LOG=""
start_app() { # start_app NAME STACKING_MINUTES: a fresh process on a fresh SQLite folder
    local name="$1" minutes="$2" port data
    port="$(free_port tcp)"
    data="$WORK/data-$name"
    mkdir -p "$data"
    APP_URL="http://127.0.0.1:$port"
    APP_LOG="$WORK/app-$name.log"
    cd "$WORK/publish" # the content root, as deployed (appsettings.json is read from there)
    # shellcheck disable=SC2086
    env Postmaster__DataDirectory="$data" \
        Postmaster__TemplatesDirectory="$SRC_ROOT/templates" \
        Postmaster__PublicUrl="$PUBLIC_URL" \
        Postmaster__Bootstrap__AdminEmail="$ADMIN_EMAIL" \
        Postmaster__Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
        Postmaster__Bootstrap__ApiKey="$API_KEY" \
        Postmaster__Blocklists__ScheduledSweeps=false \
        Postmaster__Dns__Servers__0="127.0.0.1:$DNS_PORT" \
        Postmaster__Dns__TimeoutSeconds=2 \
        Postmaster__Dns__Retries=1 \
        Postmaster__Alerts__StackingMinutes="$minutes" \
        Postmaster__Alerts__Recipients__0="$RECIPIENT" \
        Postmaster__Smtp__Host=127.0.0.1 \
        Postmaster__Smtp__Port="$SMTP_PORT" \
        Postmaster__Smtp__Security=none \
        Postmaster__Smtp__From="postmaster@alerts.bench.test" \
        Logging__LogLevel__Default=Warning \
        ASPNETCORE_ENVIRONMENT=Production \
        $APP_SETTINGS \
        dotnet "$WORK/publish/Postmaster.Web.dll" --urls "$APP_URL" >"$APP_LOG" 2>&1 &
    APP_PID=$!
    cd "$ROOT"
    PIDS+=("$APP_PID")
    local deadline=$((SECONDS + START_TIMEOUT))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP_URL/healthz")" == 200 ]]; do
        kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$APP_LOG" >&2; die "the app exited during start-up"; }
        ((SECONDS < deadline)) || { tail -30 "$APP_LOG" >&2; die "the app did not answer /healthz within ${START_TIMEOUT} s"; }
        sleep 0.2
    done
    log "app (pid $APP_PID) on $APP_URL, StackingMinutes=$minutes"
}

api() { # api METHOD PATH [JSON]: prints the body, fails on HTTP >= 400
    local method="$1" path="$2" body="${3:-}" args=()
    [[ -n "$body" ]] && args=(-H 'Content-Type: application/json' --data "$body")
    curl -sS --fail-with-body --max-time 30 -X "$method" -H "Authorization: Bearer $API_KEY" "${args[@]}" "$APP_URL$path"
}

api_items() { # api_items PATH: every page's items as one JSON array (PATH already has a '?')
    local path="$1" page next="" all="[]" n
    for n in $(seq 1000); do
        page="$(api GET "$path${next:+&cursor=$next}")"
        all="$(jq -c --argjson a "$all" '$a + .items' <<<"$page")"
        next="$(jq -r '.next // empty' <<<"$page")"
        [[ -z "$next" ]] && { echo "$all"; return; }
    done
    die "$path: more than 1000 pages"
}

prepare_app() { # only the one bench list enabled: the rest of the catalog is not served here
    local lists id
    lists="$(api_items '/api/blocklists?limit=200')"
    jq -e --arg s "$SLUG" 'any(.[]; .slug == $s)' <<<"$lists" >/dev/null || die "catalog list $SLUG missing"
    for id in $(jq -r --arg s "$SLUG" '.[] | select(.slug != $s and .enabled) | .id' <<<"$lists"); do
        api PATCH "/api/blocklists/$id" '{"enabled": false}' >/dev/null
    done
    for id in $(jq -r --arg s "$SLUG" '.[] | select(.slug == $s and (.enabled | not)) | .id' <<<"$lists"); do
        api PATCH "/api/blocklists/$id" '{"enabled": true}' >/dev/null
    done
}

sweep() { # sweep: POST /api/sweeps, poll to completed; sets SWEEP_POSTED, SWEEP_WALL
    local id body state deadline t0
    t0="$(now)"
    id="$(api POST /api/sweeps '{}' | jq -r .id)"
    deadline=$((SECONDS + SWEEP_TIMEOUT))
    while :; do
        body="$(api GET "/api/sweeps/$id")"
        state="$(jq -r .state <<<"$body")"
        [[ "$state" == completed ]] && break
        [[ "$state" == failed ]] && die "sweep $id failed: $body"
        ((SECONDS < deadline)) || die "sweep $id still $state after ${SWEEP_TIMEOUT} s"
        kill -0 "$APP_PID" 2>/dev/null || die "the app died during sweep $id: $(tail -5 "$APP_LOG")"
        sleep 0.1
    done
    SWEEP_POSTED="$t0"
    SWEEP_WALL="$(calc "$(now) - $t0" 2)"
    [[ "$(jq -r .listed <<<"$body")" -ge "$ASSETS" ]] || die "sweep $id found $(jq -r .listed <<<"$body") listed, expected at least $ASSETS: $body"
}

ingest() { # ingest IP: REJECTIONS S3150 refusals of IP, minutes ago; sets INGEST_SENT, INGEST_DONE
    local ip="$1" body i at code
    body="["
    for ((i = 0; i < REJECTIONS; i++)); do
        at="$(date -u -d "-$((REJECTIONS - i)) minutes" +%Y-%m-%dT%H:%M:%SZ)"
        ((i > 0)) && body+=","
        body+="$(jq -cn --arg ip "$ip" --arg at "$at" --arg r "$S3150" --arg mx "$OUTLOOK_MX" \
            '{status: "bounced", time: $at, sourceIp: $ip, recipient: "someone@hotmail.com", mx: $mx, smtpCode: 550, enhancedCode: "5.7.1", response: $r}')"
    done
    body+="]"
    INGEST_SENT="$(now)"
    code="$(curl -sS --max-time 30 -o "$WORK/ingest.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $API_KEY" \
        -H 'Content-Type: application/json' --data "$body" "$APP_URL/api/signals")"
    INGEST_DONE="$(now)"
    [[ "$code" == 202 ]] || die "POST /api/signals answered $code: $(head -c 300 "$WORK/ingest.out")"
    [[ "$(jq -r .accepted "$WORK/ingest.out")" == "$REJECTIONS" ]] || die "POST /api/signals accepted fewer than $REJECTIONS: $(cat "$WORK/ingest.out")"
}

incident_of() { # incident_of PROVIDER VALUE [ITEMS]: the open incident of that group (id \t openedAt), or empty
    local items="${3:-}"
    [[ -n "$items" ]] || items="$(api_items "/api/incidents?provider=$1&limit=200")"
    jq -r --arg v "$2" '.[] | select(.assetGroup.value == $v and (.state | IN("resolved", "wont-fix") | not)) | "\(.id)\t\(.openedAt)"' <<<"$items" | head -1
}

wait_mails() { # wait_mails SECONDS ID…: until every incident id is in some message; prints the Maildir listing
    local limit="$1" deadline listing id missing
    shift
    deadline="$(calc "$(now) + $limit" 3)"
    while :; do
        listing="$(mails)"
        missing=0
        for id in "$@"; do
            awk -F'\t' -v id="$id" '{ n = split($3, a, ","); for (i = 1; i <= n; i++) if (a[i] == id) f = 1 } END { exit !f }' <<<"$listing" || { missing=1; break; }
        done
        ((missing == 0)) && { echo "$listing"; return 0; }
        awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n < d) }' || { echo "$listing"; return 1; }
        kill -0 "$APP_PID" 2>/dev/null || die "the app died while waiting for mail: $(tail -5 "$APP_LOG")"
        sleep "$POLL"
    done
}

first_arrival() { # first_arrival LISTING ID: the arrival of the first message naming incident ID (empty: none)
    awk -F'\t' -v id="$2" '{ n = split($3, a, ","); for (i = 1; i <= n; i++) if (a[i] == id) { print $1; exit } }' <<<"$1"
}

new_mails() { # new_mails LISTING SEEN: messages of LISTING whose file is not in the file list SEEN
    awk -F'\t' 'NR == FNR { seen[$0] = 1; next } !($2 in seen)' <(printf '%s\n' "$2") <(printf '%s\n' "$1")
}

stats() { # stats VALUES…: "median max n" of the numbers
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a n/a 0"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %d\n", m, v[NR], NR }'
}

other_cores() { # other_cores B0 O0 S0 T0: cores used by everything else since then, and the steal %
    local b1 o1 s1 t1
    b1="$(busy_ticks)"; o1="$(own_ticks)"; s1="$(steal_ticks)"; t1="$(now)"
    echo "$(calc "max0((($b1 - $1) - ($o1 - $2)) / $TICKS / ($t1 - $4))" 2) $(calc "100 * ($s1 - $3) / $TICKS / $NCPU / ($t1 - $4)" 1)"
}

# One round: ASSETS new single-IP assets found listed by one sweep, then one ingest batch. With a
# window of 0 each path is measured on its own (the sweep's mail is awaited before the ingest);
# with a window the ingest follows the sweep at once, so both stack into the round's digest.
# Appends to the arrays SWEEP_LAT, SWEEP_LAT_OPENED, INGEST_LAT, INGEST_LAT_SENT, STACK_LAT, MAILS_PER_ROUND.
run_round() { # run_round SCENARIO(a|b) ROUND STACKING_MINUTES
    local scenario="$1" round="$2" minutes="$3" subnet ips=() ip i listings ids=() opened=() first=() id fs op seen listing arrival lat
    local b0 o0 s0 t0
    b0="$(busy_ticks)"; o0="$(own_ticks)"; s0="$(steal_ticks)"; t0="$(now)"
    seen="$(mails | cut -f2)"
    [[ "$scenario" == b ]] && subnet=$((128 + round)) || subnet=$round
    for ((i = 1; i <= ASSETS; i++)); do
        ip="$LISTED_NET.$subnet.$i"
        ips+=("$ip")
        api POST /api/assets "{\"value\": \"$ip\", \"label\": \"alert-bench-$scenario$round\"}" >/dev/null || die "the app refused the asset $ip"
    done
    sweep
    # The listings' firstSeen is the chunk's commit time (SweepChunkProcessor: the same `now` as the
    # chunk's completedAt, taken as its commit begins); the incident's openedAt comes from the same evidence.
    listings="$(api_items '/api/listings?active=true&limit=500')"
    # A chunk's incidents are built right after its commit, and the commit that finishes the last
    # chunk also marks the sweep completed: the incidents can show up a moment after "completed".
    local incidents deadline=$((SECONDS + 30)) want
    want="$(printf '%s\n' "${ips[@]}" | jq -R . | jq -sc .)"
    while :; do
        incidents="$(api_items '/api/incidents?provider=spamhaus&limit=200')"
        jq -e --argjson want "$want" '[.[] | select(.state | IN("resolved", "wont-fix") | not) | .assetGroup.value] as $have | all($want[]; . as $w | $have | index($w))' <<<"$incidents" >/dev/null && break
        ((SECONDS < deadline)) || die "30 s after the sweep completed, not every listed IP of round $scenario$round has an open spamhaus incident"
        sleep 0.1
    done
    for ip in "${ips[@]}"; do
        fs="$(jq -r --arg v "$ip" --arg z "$ZONE" '[.[] | select(.value == $v and .zone == $z) | .firstSeen] | first // empty' <<<"$listings")"
        [[ -n "$fs" ]] || die "no active listing of $ip on $ZONE after the sweep"
        IFS=$'\t' read -r id op <<<"$(incident_of spamhaus "$ip" "$incidents")"
        [[ -n "$id" ]] || die "no open spamhaus incident for $ip after the sweep"
        ids+=("$id"); first+=("$(epoch "$fs")"); opened+=("$(epoch "$op")")
    done
    local ingest_ip="$INGEST_NET.$subnet.1" ingest_id ingest_op
    if [[ "$minutes" == 0 ]]; then
        listing="$(wait_mails "$MAIL_TIMEOUT" "${ids[@]}")" || die "round $scenario$round: not every sweep incident was mailed within ${MAIL_TIMEOUT} s (see $MAILDIR, incidents ${ids[*]})"
        for ((i = 0; i < ${#ids[@]}; i++)); do
            arrival="$(first_arrival "$listing" "${ids[$i]}")"
            SWEEP_LAT+=("$(calc "$arrival - ${first[$i]}" 3)")
            SWEEP_LAT_OPENED+=("$(calc "$arrival - ${opened[$i]}" 3)")
        done
        SWEEP_ROUNDS+=("$(stats "${SWEEP_LAT[@]: -$ASSETS}" | awk -v r="$round" '{ printf "round %s median %s max %s", r, $1, $2 }')")
        local sweep_mails; sweep_mails="$(new_mails "$listing" "$seen" | wc -l)"
        seen="$(cut -f2 <<<"$listing")"
        ingest "$ingest_ip"
        IFS=$'\t' read -r ingest_id ingest_op <<<"$(incident_of microsoft "$ingest_ip")"
        [[ -n "$ingest_id" ]] || die "no open microsoft incident for $ingest_ip after the ingest batch"
        listing="$(wait_mails "$MAIL_TIMEOUT" "$ingest_id")" || die "round $scenario$round: the ingest incident #$ingest_id was not mailed within ${MAIL_TIMEOUT} s"
        arrival="$(first_arrival "$listing" "$ingest_id")"
        INGEST_LAT+=("$(calc "$arrival - $INGEST_DONE" 3)")
        INGEST_LAT_SENT+=("$(calc "$arrival - $INGEST_SENT" 3)")
        MAILS_PER_ROUND+=("$sweep_mails+$(new_mails "$listing" "$seen" | wc -l)")
        read -r R[$scenario$round.other] R[$scenario$round.steal] <<<"$(other_cores "$b0" "$o0" "$s0" "$t0")"
        log "  round $round: sweep ${SWEEP_WALL} s; sweep mail $(stats "${SWEEP_LAT[@]: -$ASSETS}" | awk '{ print "median " $1 " s, max " $2 " s" }') after the chunk (${sweep_mails} message(s) for $ASSETS incidents); ingest mail ${INGEST_LAT[-1]} s after the POST's response; others ${R[$scenario$round.other]} cores, steal ${R[$scenario$round.steal]} %"
    else
        ingest "$ingest_ip"
        IFS=$'\t' read -r ingest_id ingest_op <<<"$(incident_of microsoft "$ingest_ip")"
        [[ -n "$ingest_id" ]] || die "no open microsoft incident for $ingest_ip after the ingest batch"
        ids+=("$ingest_id"); first+=("$INGEST_DONE")
        local limit; limit="$(calc "$minutes * 60 + $MAIL_TIMEOUT" 0)"
        listing="$(wait_mails "$limit" "${ids[@]}")" || die "round $scenario$round: not every incident was mailed within $limit s (see $MAILDIR)"
        # Per message: its arrival minus the earliest change it tells of (the first change of its digest).
        local worst="" msgs n=0 earliest k
        msgs="$(new_mails "$listing" "$seen")"
        while IFS=$'\t' read -r arrival _ mids _; do
            [[ -n "$arrival" ]] || continue
            earliest=""
            for ((k = 0; k < ${#ids[@]}; k++)); do
                [[ ",$mids," == *",${ids[$k]},"* ]] || continue
                [[ -z "$earliest" ]] && earliest="${first[$k]}"
                awk -v a="${first[$k]}" -v b="$earliest" 'BEGIN { exit !(a < b) }' && earliest="${first[$k]}"
            done
            [[ -n "$earliest" ]] || continue # a later alert (a severity change) about nothing new here
            n=$((n + 1))
            lat="$(calc "$arrival - $earliest" 3)"
            STACK_LAT+=("$lat")
            [[ -z "$worst" ]] && worst="$lat"
            awk -v a="$lat" -v b="$worst" 'BEGIN { exit !(a > b) }' && worst="$lat"
        done <<<"$msgs"
        MAILS_PER_ROUND+=("$n")
        read -r R[$scenario$round.other] R[$scenario$round.steal] <<<"$(other_cores "$b0" "$o0" "$s0" "$t0")"
        log "  round $round: sweep ${SWEEP_WALL} s, then the ingest batch; $n message(s) for $((ASSETS + 1)) incidents, the worst $worst s after its first change (window $(calc "$minutes * 60" 0) s); others ${R[$scenario$round.other]} cores, steal ${R[$scenario$round.steal]} %"
    fi
}

# --- scenario A: window 0 -------------------------------------------------------------------------
SWEEP_LAT=() SWEEP_ROUNDS=() SWEEP_LAT_OPENED=() INGEST_LAT=() INGEST_LAT_SENT=() STACK_LAT=() MAILS_PER_ROUND=()
log "scenario A: StackingMinutes=0, $ROUNDS rounds of $ASSETS listed IPs and one ingest batch of $REJECTIONS rejections"
start_smtp a
start_app a 0
prepare_app
R[a.load]="$(loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do run_round a "$r" 0; done
A_MAILS=("${MAILS_PER_ROUND[@]}")
stop_pid "$APP_PID"; APP_PID=""
stop_pid "$SMTP_PID"; SMTP_PID=""

# --- scenario B: window STACK_MINUTES -------------------------------------------------------------
B_MAILS=()
if awk -v m="$STACK_MINUTES" 'BEGIN { exit !(m > 0) }'; then
    MAILS_PER_ROUND=()
    log "scenario B: StackingMinutes=$STACK_MINUTES, $STACK_ROUNDS rounds of $ASSETS listed IPs plus one ingest batch, stacked"
    start_smtp b
    start_app b "$STACK_MINUTES"
    prepare_app
    R[b.load]="$(loadavg)"
    for ((r = 1; r <= STACK_ROUNDS; r++)); do run_round b "$r" "$STACK_MINUTES"; done
    B_MAILS=("${MAILS_PER_ROUND[@]}")
    stop_pid "$APP_PID"; APP_PID=""
    stop_pid "$SMTP_PID"; SMTP_PID=""
fi
LOAD_END="$(loadavg)"
RUN_T1="$(now)"
RUN_BUSY="$(calc "($(busy_ticks) - $RUN_B0) / $TICKS / ($RUN_T1 - $RUN_T0)" 2)" # all processes, this run's included
RUN_STEAL="$(calc "100 * ($(steal_ticks) - $RUN_S0) / $TICKS / $NCPU / ($RUN_T1 - $RUN_T0)" 1)"

# --- report ---------------------------------------------------------------------------------------
WINDOW_S="$(calc "$STACK_MINUTES * 60" 0)"
read -r s_med s_max s_n <<<"$(stats "${SWEEP_LAT[@]}")"
read -r so_med so_max _ <<<"$(stats "${SWEEP_LAT_OPENED[@]}")"
read -r i_med i_max i_n <<<"$(stats "${INGEST_LAT[@]}")"
read -r is_med is_max _ <<<"$(stats "${INGEST_LAT_SENT[@]}")"
if ((${#STACK_LAT[@]})); then
    read -r b_med b_max b_n <<<"$(stats "${STACK_LAT[@]}")"
    c_med="$(calc "$b_med - $WINDOW_S" 2)" c_max="$(calc "$b_max - $WINDOW_S" 2)"
else
    b_med=n/a b_max=n/a b_n=0 c_med=n/a c_max=n/a
fi
verdict() { [[ "$1" == n/a ]] && { echo "not measured"; return; }; awk -v v="$1" -v g="$GOAL_SECONDS" 'BEGIN { print (v < g ? "met" : "**NOT met**") }'; }
ratio() { [[ "$1" == n/a ]] && { echo n/a; return; }; calc "$1 / $GOAL_SECONDS" 2; }
one() { [[ "$1" == n/a ]] && { echo n/a; return; }; calc "$1" 1; }
per_round() { # per_round SCENARIO COUNT: "others' cores / steal %" per round
    local out="" r
    for ((r = 1; r <= $2; r++)); do out+="${out:+; }$1$r ${R[$1$r.other]:-?} / ${R[$1$r.steal]:-?} %"; done
    echo "$out"
}
{
    echo "# Alert latency benchmark"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $NCPU CPUs ($(uname -r)), .NET SDK $(dotnet --version 2>/dev/null), rbldnsd, aiosmtpd $("$PY" -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null || echo '?'). Built from $BUILT."
    echo "The published Release build (\`${PUBLISH_ARGS:-plain IL}\`) on a fresh SQLite folder per scenario; only \`$SLUG\` enabled, asked of rbldnsd on loopback (which lists $LISTED_NET.0.0/16);"
    echo "alert mail over SMTP (no TLS) to aiosmtpd's Maildir handler; a message's arrival is its file's mtime (ns)."
    echo
    echo "**Machine load:** load average ${LOAD_START} at the start, ${R[a.load]:-?} when scenario A began, ${R[b.load]:-n/a} when B began, ${LOAD_END} at the end;"
    echo "the whole machine busy ${RUN_BUSY} of $NCPU cores on average over the run (this benchmark's build and processes included), host steal ${RUN_STEAL} %;
CPU used by all processes but this benchmark's (cores / host steal) per round: $(per_round a "$ROUNDS")$( ((${#STACK_LAT[@]})) && echo "; $(per_round b "$STACK_ROUNDS")")."
    echo
    echo "**Measured from.** Sweep path: the listing's \`firstSeen\` (\`GET /api/listings\`), which is the chunk's own time: the sweep stamps it when the chunk's commit begins (the chunk's \`completedAt\`),"
    echo "so it is never after the commit and the latency includes the commit, the incident step and the alert delivery (at most the commit's few ms too long; conservative). The incident's \`openedAt\` is shown beside it."
    echo "Ingest path: the response of \`POST /api/signals\` (the batch, its episodes and incidents are committed before it answers); from the request's start beside it."
    echo "Stacked: per message, its arrival minus the earliest change it tells of (a listing's \`firstSeen\`, or the ingest response); the goal is the window plus ${GOAL_SECONDS} s."
    echo
    echo "| path | rounds | incidents | messages per round | median s | max s | goal | max ÷ goal | |"
    echo "| --- | ---: | ---: | --- | ---: | ---: | --- | ---: | --- |"
    echo "| sweep, window 0 (from \`firstSeen\`) | $ROUNDS | $s_n | ${A_MAILS[*]} (sweep+ingest) | $s_med | **$s_max** | < $GOAL_SECONDS s | $(ratio "$s_max") | $(verdict "$s_max") |"
    echo "| sweep, window 0 (from \`openedAt\`) | $ROUNDS | $s_n | | $so_med | $so_max | < $GOAL_SECONDS s | $(ratio "$so_max") | $(verdict "$so_max") |"
    echo "| ingest, window 0 (from the response) | $ROUNDS | $i_n | | $i_med | **$i_max** | < $GOAL_SECONDS s | $(ratio "$i_max") | $(verdict "$i_max") |"
    echo "| ingest, window 0 (from the request) | $ROUNDS | $i_n | | $is_med | $is_max | < $GOAL_SECONDS s | $(ratio "$is_max") | $(verdict "$is_max") |"
    if ((${#STACK_LAT[@]})); then
        echo "| stacked, window ${WINDOW_S} s (latency − window) | $STACK_ROUNDS | $((STACK_ROUNDS * (ASSETS + 1))) | ${B_MAILS[*]} | $c_med | **$c_max** | < $GOAL_SECONDS s | $(ratio "$c_max") | $(verdict "$c_max") |"
        echo
        echo "Stacked digests, whole latency: median $b_med s, max $b_max s over $b_n messages (window $WINDOW_S s)."
    else
        echo "| stacked | | | | | | < $GOAL_SECONDS s | | not measured (STACK_MINUTES=0) |"
    fi
    echo
    echo "Latencies (s), in round order. Sweep, per round over its $ASSETS incidents: $(IFS=';'; echo "${SWEEP_ROUNDS[*]}" | sed 's/;/; /g'). Ingest: ${INGEST_LAT[*]}.${STACK_LAT:+ Stacked (whole): ${STACK_LAT[*]}.}"
    echo "The first round of each app is its first alert after start-up (code paths compiled on first use)."
    true
} >"$RESULTS"

echo
cat "$RESULTS"
echo
log "written to ${RESULTS#"$ROOT"/}"
SUMMARY="alert latency s: sweep $(one "$s_max"), ingest $(one "$i_max"), stacked $(one "$c_max")"
cleanup
trap - EXIT
echo "$SUMMARY"

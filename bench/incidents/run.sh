#!/usr/bin/env bash
# Incident pages benchmark: the dashboard, the incident list (first page and a filtered page) and
# GET /api/incidents?active=true of the published app on PostgreSQL holding 100,000 incidents and
# 1,000,000 timeline lines, under 32 concurrent wrk connections. See bench/incidents/README.md.
#
# A throw-away PostgreSQL cluster (initdb; as the postgres user when run as root) on a free loopback
# port, seeded by bench/incidents/IncidentSeeder through the app's own model, removed at exit.
# The last line on stdout is the summary other tools read:  p95 ms: dashboard A, list B, api C
# (whole milliseconds; B is the worse of the two list pages; n/a for a page this build lacks).
#
# Usage: bench/incidents/run.sh            (settings: see the variables below; all can be overridden)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
RESULTS="$OUT_DIR/incidents-results.md"

# --- settings -------------------------------------------------------------------------------------
INCIDENTS="${INCIDENTS:-100000}"         # incidents seeded
TIMELINE="${TIMELINE:-1000000}"          # timeline lines seeded (shared out over the incidents)
SEED="${SEED:-42}"                       # generator seed: the same seed writes the same data (times relative to now)
CONNECTIONS="${CONNECTIONS:-32}"         # wrk connections (the goal: 32 concurrent clients)
WRK_THREADS="${WRK_THREADS:-2}"          # wrk threads
DURATION="${DURATION:-15}"               # seconds measured per page
WARMUP="${WARMUP:-5}"                    # seconds of load per page before it is measured (JIT, caches, pools)
WRK_TIMEOUT="${WRK_TIMEOUT:-10}"         # seconds before wrk counts a request as timed out (a failure here)
LIST_FILTER="${LIST_FILTER:-state=open&provider=microsoft}" # the filtered list page's query
GOAL_MS="${GOAL_MS:-100}"                # the product's goal: p95 under this many ms, each page
QUIET_WAIT="${QUIET_WAIT:-30}"           # seconds to wait, before each page, for other processes to go quiet
QUIET_CORES="${QUIET_CORES:-0.5}"        # "quiet": other processes use less than this many cores
START_TIMEOUT="${START_TIMEOUT:-120}"    # seconds for the app to answer /healthz
PUBLISH_TIMEOUT="${PUBLISH_TIMEOUT:-900}"
SEED_TIMEOUT="${SEED_TIMEOUT:-900}"      # seconds for migrations plus seeding
PG_SETTINGS="${PG_SETTINGS:-}"           # extra server settings, e.g. "-c shared_buffers=512MB"
APP_SETTINGS="${APP_SETTINGS:-}"         # extra app settings, space-separated KEY=VALUE (environment variables)
KEEP_WORK="${KEEP_WORK:-0}"              # 1: keep the temp folder (app log, server log, wrk outputs) and stop nothing early
case "$(uname -m)" in aarch64 | arm64) RID=linux-arm64 ;; *) RID=linux-x64 ;; esac
PUBLISH_ARGS="${PUBLISH_ARGS-"-r $RID --self-contained false -p:PublishReadyToRun=true"}" # as the Dockerfile publishes; PUBLISH_ARGS= for plain IL

ADMIN_EMAIL="bench-admin@bench-mailer.net"
ADMIN_PASSWORD="benchmark-password-123"
API_KEY="pm_bench_incidents_key_0123456789abcdef"
DATABASE=postmaster

# --- helpers --------------------------------------------------------------------------------------
PIDS=()
WORK="" PGDATA_DIR="" PG_CTL="" APP_PID=""
declare -A R # results
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
calc() { awk "function max0(x) { return x < 0 ? 0 : x } BEGIN { printf \"%.${2:-2}f\", $1 }"; } # calc EXPR [DECIMALS]
TICKS="$(getconf CLK_TCK)"
NCPU="$(nproc)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime
ms() { calc "$1 / 1000" "${2:-1}"; } # ms MICROSECONDS [DECIMALS]
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; } # user nice system irq softirq, all CPUs
steal_ticks() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
# The cluster's processes: the postmaster (first line of postmaster.pid) and its children (backends, workers).
pg_ticks() {
    local master t=0 p
    [[ -n "$PGDATA_DIR" && -f "$PGDATA_DIR/postmaster.pid" ]] || { echo 0; return; }
    master="$(head -1 "$PGDATA_DIR/postmaster.pid")"
    for p in "$master" $(pgrep -P "$master" || true); do t=$((t + $(cpu_ticks "$p"))); done
    echo "$t"
}
app_ticks() { [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null && cpu_ticks "$APP_PID" || echo 0; }
# CPU used by this script and its waited-for children (wrk, curl), the app and the cluster
own_ticks() { echo $(($(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat") + $(app_ticks) + $(pg_ticks))); }
other_load() { # other_load SECONDS → cores used by everything else
    local b0 o0 t0 b1 o1 t1
    b0="$(busy_ticks)"; o0="$(own_ticks)"; t0="$(now)"; sleep "$1"
    b1="$(busy_ticks)"; o1="$(own_ticks)"; t1="$(now)"
    calc "max0((($b1 - $b0) - ($o1 - $o0)) / $TICKS / ($t1 - $t0))" 2
}
wait_quiet() {
    local deadline=$((SECONDS + QUIET_WAIT)) load warned=0
    while :; do
        load="$(other_load 1)"
        awk -v l="$load" -v q="$QUIET_CORES" 'BEGIN { exit !(l < q) }' && return 0
        if ((SECONDS >= deadline)); then log "  other processes use $load cores: measuring anyway (noisy)"; return 0; fi
        ((warned)) || log "  other processes use $load cores: waiting up to ${QUIET_WAIT} s for quiet"
        warned=1
    done
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

as_pg() { # as_pg CMD...: as the postgres user when root (initdb refuses root), else as ourselves
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [[ -n "$PG_CTL" && -n "$PGDATA_DIR" && -f "$PGDATA_DIR/postmaster.pid" ]]; then
        as_pg timeout 60 "$PG_CTL" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || log "could not stop the cluster in $PGDATA_DIR"
    fi
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ "$KEEP_WORK" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    WORK="" PIDS=() PGDATA_DIR=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites --------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "dotnet (SDK 10) not found."
for tool in awk curl ss timeout pgrep getconf; do command -v "$tool" >/dev/null || die "$tool not found."; done
pg_bin() { # the newest installed server's bin folder, or PG_BIN
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
    [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n "$(pg_bin)" ]] || missing+=(postgresql)
if ((${#missing[@]})); then
    [[ "$(id -u)" == 0 ]] || die "${missing[*]} missing and installing needs root: apt-get install ${missing[*]}"
    log "installing ${missing[*]}"
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PG_BIN="$(pg_bin)" || die "PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BIN."
PG_CTL="$PG_BIN/pg_ctl"
if [[ "$(id -u)" == 0 ]]; then getent passwd postgres >/dev/null || die "run as root, but there is no postgres user to own the cluster"; fi

free_tcp_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        [[ -z "$(ss -Hltn "sport = :$p")" ]] && { echo "$p"; return; }
    done
    die "no free TCP port found"
}

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/postmaster-incident-bench.XXXXXX)"
chmod 755 "$WORK" # the postgres user reaches its folder inside
log "work folder $WORK"

# --- PostgreSQL -----------------------------------------------------------------------------------
mkdir -p "$WORK/pg"
[[ "$(id -u)" == 0 ]] && chown postgres:postgres "$WORK/pg"
PGDATA_DIR="$WORK/pg/data"
PG_PORT="$(free_tcp_port)"
as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --no-sync --locale=C >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
# Durability off, as in the test fixture: it only speeds up the seeding; the pages only read.
as_pg timeout 90 "$PG_CTL" -D "$PGDATA_DIR" -l "$WORK/pg/server.log" -w -t 60 start \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off $PG_SETTINGS" >/dev/null ||
    { tail -20 "$WORK/pg/server.log" >&2; die "the cluster did not start"; }
PSQL=("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DATABASE" || die "could not create the database"
CONN="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$DATABASE"
PG_VERSION="$("${PSQL[@]}" -d postgres -At -c 'SHOW server_version')"
log "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT ($PGDATA_DIR)"

# --- build ----------------------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
BUILT="git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src bench/incidents 2>/dev/null || echo ' + uncommitted changes')"
log "building IncidentSeeder (Release) from $BUILT"
timeout "$PUBLISH_TIMEOUT" dotnet build -c Release --nologo -v q --disable-build-servers "$HERE/IncidentSeeder/IncidentSeeder.csproj" -o "$WORK/seeder" >"$WORK/seeder-build.log" 2>&1 ||
    { tail -30 "$WORK/seeder-build.log" >&2; die "building the seeder failed"; }
log "publishing Postmaster.Web (Release${PUBLISH_ARGS:+ $PUBLISH_ARGS})"
# shellcheck disable=SC2086
timeout "$PUBLISH_TIMEOUT" dotnet publish "$ROOT/src/Postmaster.Web" -c Release --disable-build-servers $PUBLISH_ARGS -o "$WORK/publish" >"$WORK/publish.log" 2>&1 ||
    { tail -30 "$WORK/publish.log" >&2; die "dotnet publish failed"; }

# --- seed -----------------------------------------------------------------------------------------
log "seeding $INCIDENTS incidents and $TIMELINE timeline lines (seed $SEED)"
t0="$(now)"
timeout "$SEED_TIMEOUT" dotnet "$WORK/seeder/IncidentSeeder.dll" "$CONN" "$ROOT/templates" "$INCIDENTS" "$TIMELINE" "$SEED" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" \
    >"$WORK/seed.out" 2> >(tee "$WORK/seed.log" >&2) || die "seeding failed (see above)"
R[seed.seconds]="$(calc "$(now) - $t0" 1)"
R[seed.summary]="$(tail -1 "$WORK/seed.out")"
R[db.size]="$("${PSQL[@]}" -d "$DATABASE" -At -c "SELECT pg_size_pretty(pg_database_size('$DATABASE'))")"
log "${R[seed.summary]}; ${R[seed.seconds]} s with the runtime's start; database ${R[db.size]}"

# --- the app --------------------------------------------------------------------------------------
APP_PORT="$(free_tcp_port)"
APP_URL="http://127.0.0.1:$APP_PORT"
mkdir -p "$WORK/data"
cd "$WORK/publish" # the content root, as deployed (appsettings.json is read from there)
# shellcheck disable=SC2086
env Postmaster__Database__Provider=Postgres \
    ConnectionStrings__Postmaster="$CONN" \
    Postmaster__DataDirectory="$WORK/data" \
    Postmaster__TemplatesDirectory="$ROOT/templates" \
    Postmaster__Bootstrap__AdminEmail="$ADMIN_EMAIL" \
    Postmaster__Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
    Postmaster__Bootstrap__ApiKey="$API_KEY" \
    Postmaster__Blocklists__ScheduledSweeps=false \
    Logging__LogLevel__Default=Warning \
    ASPNETCORE_ENVIRONMENT=Production \
    $APP_SETTINGS \
    dotnet "$WORK/publish/Postmaster.Web.dll" --urls "$APP_URL" >"$WORK/app.log" 2>&1 &
APP_PID=$!
PIDS+=("$APP_PID")
cd "$ROOT"
deadline=$((SECONDS + START_TIMEOUT))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$APP_URL/healthz")" == 200 ]]; do
    kill -0 "$APP_PID" 2>/dev/null || { tail -30 "$WORK/app.log" >&2; die "the app exited during start-up"; }
    ((SECONDS < deadline)) || { tail -30 "$WORK/app.log" >&2; die "the app did not answer /healthz within ${START_TIMEOUT} s"; }
    sleep 0.2
done
log "app (pid $APP_PID) on $APP_URL"

# Sign in through the form, as a browser does: the antiforgery token from the page, its cookie, the post.
JAR="$WORK/cookies.txt"
token="$(curl -sS --max-time 10 -c "$JAR" "$APP_URL/login" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)"
[[ -n "$token" ]] || die "no antiforgery token on /login"
signed="$(curl -sS --max-time 10 -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "Email=$ADMIN_EMAIL" --data-urlencode "Password=$ADMIN_PASSWORD" --data-urlencode "__RequestVerificationToken=$token" \
    "$APP_URL/login")"
[[ "$signed" == 302* ]] || die "sign-in failed: HTTP $signed"
session="$(awk '$6 == "postmaster" { print $7 }' "$JAR")"
[[ -n "$session" ]] || die "signed in, but no postmaster cookie came back"
COOKIE="Cookie: postmaster=$session"
AUTH="Authorization: Bearer $API_KEY"

# --- measure --------------------------------------------------------------------------------------
# name | path | header
PAGES=(
    "dashboard|/|$COOKIE"
    "list|/incidents|$COOKIE"
    "list-filtered|/incidents?$LIST_FILTER|$COOKIE"
    "api|/api/incidents?active=true|$AUTH"
)
MISSING=()
for spec in "${PAGES[@]}"; do
    IFS='|' read -r name path header <<<"$spec"
    R[$name.path]="$path"
    code="$(curl -sS --max-time 30 -o "$WORK/$name.body" -w '%{http_code}' -H "$header" "$APP_URL$path")"
    case "$code" in
        200) ;;
        404)
            log "$name: $path answers 404: not in this build; not measured"
            R[$name.state]=missing; MISSING+=("$path"); continue ;;
        *) die "$name: $path answers HTTP $code before any load (expected 200): $(head -c 300 "$WORK/$name.body")" ;;
    esac
    if [[ "$name" == api ]] && command -v jq >/dev/null; then
        log "  $path: $(jq -r '"\(.items | length) items on the first page, next: \(.next != null)"' "$WORK/$name.body" 2>/dev/null || echo 'not JSON?')"
    fi

    log "$name: $path, ${WARMUP} s warm-up, then ${DURATION} s at $CONNECTIONS connections"
    wait_quiet
    wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" --timeout "${WRK_TIMEOUT}s" -s "$HERE/report.lua" -H "$header" "$APP_URL$path" >"$WORK/$name-warmup.txt" 2>&1 ||
        { cat "$WORK/$name-warmup.txt" >&2; die "wrk failed (warm-up of $name)"; }
    b0="$(busy_ticks)"; o0="$(own_ticks)"; a0="$(app_ticks)"; p0="$(pg_ticks)"; s0="$(steal_ticks)"; t0="$(now)"
    wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout "${WRK_TIMEOUT}s" -s "$HERE/report.lua" -H "$header" "$APP_URL$path" >"$WORK/$name.txt" 2>&1 ||
        { cat "$WORK/$name.txt" >&2; die "wrk failed ($name)"; }
    b1="$(busy_ticks)"; o1="$(own_ticks)"; a1="$(app_ticks)"; p1="$(pg_ticks)"; s1="$(steal_ticks)"; t1="$(now)"
    line="$(grep '^RESULT ' "$WORK/$name.txt")" || { cat "$WORK/$name.txt" >&2; die "no RESULT line from wrk's done() hook ($name)"; }
    for kv in ${line#RESULT }; do R[$name.${kv%%=*}]="${kv#*=}"; done
    R[$name.state]=measured
    R[$name.rps]="$(calc "${R[$name.requests]} / (${R[$name.duration_us]} / 1000000)" 0)"
    R[$name.app_cores]="$(calc "($a1 - $a0) / $TICKS / ($t1 - $t0)" 2)"
    R[$name.pg_cores]="$(calc "($p1 - $p0) / $TICKS / ($t1 - $t0)" 2)"
    R[$name.wrk_cores]="$(calc "(($o1 - $o0) - ($a1 - $a0) - ($p1 - $p0)) / $TICKS / ($t1 - $t0)" 2)" # wrk (this script's waited-for child)
    R[$name.other]="$(calc "max0((($b1 - $b0) - ($o1 - $o0)) / $TICKS / ($t1 - $t0))" 2)"
    R[$name.steal]="$(calc "100 * ($s1 - $s0) / $TICKS / $NCPU / ($t1 - $t0)" 1)"
    log "  ${R[$name.requests]} requests, ${R[$name.rps]}/s; p50 $(ms "${R[$name.p50]}") ms, p90 $(ms "${R[$name.p90]}") ms, p95 $(ms "${R[$name.p95]}") ms, p99 $(ms "${R[$name.p99]}") ms, max $(ms "${R[$name.max]}") ms; app ${R[$name.app_cores]} cores, PostgreSQL ${R[$name.pg_cores]}, wrk ${R[$name.wrk_cores]}, others ${R[$name.other]}, steal ${R[$name.steal]} %"
    failed=$((${R[$name.not2xx]} + ${R[$name.connect]} + ${R[$name.read]} + ${R[$name.write]} + ${R[$name.timeout]}))
    if ((failed > 0)); then
        tail -20 "$WORK/app.log" >&2
        die "$name: $failed of ${R[$name.requests]} requests failed (not 2xx: ${R[$name.not2xx]}, timeouts: ${R[$name.timeout]}, connect/read/write errors: ${R[$name.connect]}/${R[$name.read]}/${R[$name.write]}); the figures are not valid"
    fi
done

# --- report ---------------------------------------------------------------------------------------
p95ms() { [[ "${R[$1.state]}" == measured ]] && calc "${R[$1.p95]} / 1000" 0 || echo n/a; }
verdict() { [[ "${R[$1.state]}" == measured ]] || { echo "not measured (404)"; return; }; awk -v v="${R[$1.p95]}" -v g="$GOAL_MS" 'BEGIN { print (v < g * 1000 ? "met" : "NOT met") }'; }
worse_list() { # the list page with the higher p95 among those measured
    local a=list b=list-filtered
    [[ "${R[$a.state]}" == measured ]] || { echo "$b"; return; }
    [[ "${R[$b.state]}" == measured ]] || { echo "$a"; return; }
    ((${R[$b.p95]} > ${R[$a.p95]})) && echo "$b" || echo "$a"
}
LIST_WORSE="$(worse_list)"
row() {
    local n="$1"
    if [[ "${R[$n.state]}" != measured ]]; then echo "| $n | \`${R[$n.path]}\` | 404: not in this build | | | | | | | | | | |"; return; fi
    echo "| $n | \`${R[$n.path]}\` | ${R[$n.requests]} | ${R[$n.rps]} | $(calc "${R[$n.p50]} / 1000" 1) | $(calc "${R[$n.p90]} / 1000" 1) | **$(calc "${R[$n.p95]} / 1000" 1)** | $(calc "${R[$n.p99]} / 1000" 1) | $(calc "${R[$n.max]} / 1000" 1) | ${R[$n.not2xx]} | ${R[$n.app_cores]} / ${R[$n.pg_cores]} / ${R[$n.wrk_cores]} | ${R[$n.other]} | ${R[$n.steal]} |"
}
{
    echo "# Incident pages benchmark"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $NCPU CPUs ($(uname -r)), .NET SDK $(dotnet --version 2>/dev/null), PostgreSQL $PG_VERSION, $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2). Built from $BUILT."
    echo "Data: ${R[seed.summary]} (seed $SEED; ${R[seed.seconds]} s including the runtime's start); database ${R[db.size]}."
    echo "The published Release build (\`${PUBLISH_ARGS:-plain IL}\`, as the Dockerfile publishes), signed in through the form (cookie) for pages, an API key for the API."
    echo "wrk: $CONNECTIONS connections, $WRK_THREADS threads, ${WARMUP} s warm-up then ${DURATION} s measured per page; latencies in ms; p95 from wrk's own histogram (Lua \`done()\`)."
    echo
    echo "| page | path | requests | req/s | p50 | p90 | p95 | p99 | max | not 2xx | app / PostgreSQL / wrk cores | others' cores | steal % |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for n in dashboard list list-filtered api; do row "$n"; done
    echo
    echo "| goal (PRODUCT.md) | p95 ms | target | |"
    echo "| --- | ---: | --- | --- |"
    echo "| dashboard | $(p95ms dashboard) | < $GOAL_MS | $(verdict dashboard) |"
    echo "| incident list (the worse of the two pages: $LIST_WORSE) | $(p95ms "$LIST_WORSE") | < $GOAL_MS | $(verdict "$LIST_WORSE") |"
    echo "| \`GET /api/incidents?active=true\` | $(p95ms api) | < $GOAL_MS | $(verdict api) |"
    ((${#MISSING[@]})) && { echo; echo "**Not measured:** ${MISSING[*]} answered 404 (not in this build)."; }
    true
} >"$RESULTS"

echo
cat "$RESULTS"
echo
log "written to ${RESULTS#"$ROOT"/}"
SUMMARY="p95 ms: dashboard $(p95ms dashboard), list $(p95ms "$LIST_WORSE"), api $(p95ms api)"
cleanup
trap - EXIT
echo "$SUMMARY"
if ((${#MISSING[@]})); then exit 3; fi

#!/usr/bin/env bash
# Log classification benchmark: Postmaster's log path (LogLineReader → PostfixLogParser → ResponseClassifier)
# against pflogsumm on the same generated Postfix log, both pinned to the same core. See bench/README.md ("Logs").
#
# Installs pflogsumm when missing (needs root for apt-get). Writes bench/out/logs-results.md.
# Usage: bench/logs/run.sh            (settings: see the variables below; all can be overridden)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
RESULTS="$OUT_DIR/logs-results.md"

# --- settings -------------------------------------------------------------------------------------
LINES="${LINES:-2000000}"          # lines in the generated log
SEED="${SEED:-42}"                 # generator seed: the same seed writes the same log
RUNS="${RUNS:-3}"                  # runs per tool and mode; the median is reported
CORE="${CORE:-0}"                  # the one CPU every measured process is pinned to
MODES="${MODES:-ingest classify-all parse read}" # LogBench modes (see LogBench/ClassificationRun.cs)
QUIET_WAIT="${QUIET_WAIT:-60}"     # seconds to wait, before each run, for other processes to go quiet
QUIET_CORES="${QUIET_CORES:-0.25}" # "quiet": other processes use less than this many cores
KEEP_WORK="${KEEP_WORK:-0}"        # 1: keep the temp folder (log, reports)

# --- helpers --------------------------------------------------------------------------------------
WORK=""
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; } # calc EXPR [DECIMALS]
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
TICKS="$(getconf CLK_TCK)"
NCPU="$(nproc --all)"
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; } # all CPUs: user nice system irq softirq
steal_ticks() { awk -v c="cpu$CORE" '$1 == c { print $9 }' /proc/stat; }   # steal on the measured core
other_load() { # other_load SECONDS: cores used by everything on the machine over a short window
    local b0 b1
    b0="$(busy_ticks)"; sleep "$1"; b1="$(busy_ticks)"
    calc "($b1 - $b0) / $TICKS / $1" 2
}
wait_quiet() {
    local deadline=$((SECONDS + QUIET_WAIT)) load warned=0
    while :; do
        load="$(other_load 1)"
        awk -v l="$load" -v q="$QUIET_CORES" 'BEGIN { exit !(l < q) }' && return 0
        if ((SECONDS >= deadline)); then log "  other processes still use $load cores: measuring anyway (noisy)"; return 0; fi
        ((warned)) || log "  other processes use $load cores: waiting up to ${QUIET_WAIT} s for quiet"
        warned=1
    done
}
fmt() { # 1234567 → 1,234,567
    local n s=""
    n="$(printf '%.0f' "$1")"
    while ((${#n} > 3)); do s=",${n: -3}$s"; n="${n:0:${#n}-3}"; done
    echo "$n$s"
}
kv() { awk -F= -v k="$1" '$1 == k { print $2 }' "$2"; }                           # kv KEY FILE

# measure NAME CMD...: one pinned run; /usr/bin/time's wall, user, sys, max RSS, plus the busy time of
# other processes (cores) and CPU steal on the core during the run, appended to $WORK/NAME.runs
measure() {
    local name="$1" b0 s0 b1 s1 wall user sys rss; shift
    wait_quiet
    b0="$(busy_ticks)"; s0="$(steal_ticks)"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" taskset -c "$CORE" "$@"
    b1="$(busy_ticks)"; s1="$(steal_ticks)"
    read -r wall user sys rss <"$WORK/time.txt"
    echo "$wall $user $sys $rss $(calc "(($b1 - $b0) / $TICKS - $user - $sys) / $wall" 2) $(calc "100 * ($s1 - $s0) / $TICKS / $wall" 1)" >>"$WORK/$name.runs"
}
col() { awk -v c="$2" '{ print $c }' "$WORK/$1.runs" | median; } # col NAME COLUMN → median of that column

cleanup() {
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ "$KEEP_WORK" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites --------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "dotnet (SDK 10) not found."
for tool in awk taskset nproc getconf; do command -v "$tool" >/dev/null || die "$tool not found."; done
[[ -x /usr/bin/time ]] || missing_time=1
if ! command -v pflogsumm >/dev/null || [[ -n "${missing_time:-}" ]]; then
    [[ "$(id -u)" == 0 ]] || die "pflogsumm or /usr/bin/time is missing and installing needs root: apt-get install pflogsumm time"
    log "installing pflogsumm time"
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq pflogsumm time >/dev/null
fi
PFLOGSUMM="$(command -v pflogsumm)"
PFLOGSUMM_VERSION="$("$PFLOGSUMM" --version 2>&1 | head -n1)"

WORK="$(mktemp -d /tmp/postmaster-logbench.XXXXXX)"
mkdir -p "$OUT_DIR"

# --- build, generate ------------------------------------------------------------------------------
log "building LogBench (Release)"
dotnet build -c Release --nologo -v q "$HERE/LogBench/LogBench.csproj" -o "$WORK/logbench" >"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log" >&2; die "build failed"; }
BENCH=(dotnet "$WORK/logbench/LogBench.dll")
BUILT="${BUILT_LABEL:-}" # what was built, when the checkout is not a git working tree (a snapshot)
[[ -n "$BUILT" ]] || BUILT="git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain -- src/Postmaster.Core bench/logs 2>/dev/null | grep -q . && echo ' + uncommitted changes' || true)"

LOG="$WORK/mail.log"
log "generating $LINES Postfix lines (seed $SEED)"
"${BENCH[@]}" generate "$LOG" "$LINES" "$SEED" "$ROOT/templates/providers" >/dev/null
LOG_LINES="$(wc -l <"$LOG")"
LOG_MB="$(calc "$(stat -c %s "$LOG") / 1048576" 0)"
cat "$LOG" >/dev/null # into the page cache: both tools read it from memory

# --- runs -----------------------------------------------------------------------------------------
for run in $(seq "$RUNS"); do
    log "run $run/$RUNS: pflogsumm"
    measure pflogsumm "$PFLOGSUMM" "$LOG" >"$WORK/pflogsumm.txt"
    for mode in $MODES; do
        log "run $run/$RUNS: LogBench $mode"
        measure "logbench-$mode" "${BENCH[@]}" measure "$LOG" "$ROOT/templates" "$mode" >"$WORK/logbench-$mode.$run.txt"
        kv seconds "$WORK/logbench-$mode.$run.txt" >>"$WORK/logbench-$mode.inproc"
        kv cpu_seconds "$WORK/logbench-$mode.$run.txt" >>"$WORK/logbench-$mode.inproccpu"
        kv classifier_seconds_delivered "$WORK/logbench-$mode.$run.txt" >>"$WORK/logbench-$mode.cdel"
        kv classifier_seconds_deferred_bounced "$WORK/logbench-$mode.$run.txt" >>"$WORK/logbench-$mode.cfail"
    done
done

# --- report ---------------------------------------------------------------------------------------
PF_WALL="$(col pflogsumm 1)"
PF_RATE="$(calc "$LOG_LINES / $PF_WALL" 0)"
PF_CPU="$(calc "$(col pflogsumm 2) + $(col pflogsumm 3)" 2)"
PF_CPU_RATE="$(calc "$LOG_LINES / $PF_CPU" 0)"
first="ingest"; [[ " $MODES " == *" ingest "* ]] || first="$(echo "$MODES" | awk '{ print $1 }')"
SAMPLE="$WORK/logbench-$first.1.txt" # outcome counts: ingest or classify-all mode prints them
OUTCOMES="$(kv outcomes "$SAMPLE")"

# pflogsumm's Grand Totals count delivered recipients, deferral attempts and bounced recipients: the same
# events as our delivered / deferred / bounced outcomes, so the two readings of the log must agree.
pf_total() { awk -v w="$1" '$2 == w { print $1; exit }' "$WORK/pflogsumm.txt"; }
PF_DELIVERED="$(pf_total delivered)"
PF_DEFERRALS="$(awk '$2 == "deferred" { gsub(/[()]/, "", $3); print $3; exit }' "$WORK/pflogsumm.txt")"
PF_BOUNCED="$(pf_total bounced)"
ours() { awk -F'\t' -v s="$1" '$1 == "count" && $3 == s { n += $5 } END { print n + 0 }' "$SAMPLE"; }

row() { # row NAME LABEL: a results table row
    local name="$1" label="$2" wall inproc cpu
    wall="$(col "$name" 1)"
    inproc="$(median <"$WORK/$name.inproc" 2>/dev/null || echo 0)"
    cpu="$(calc "$(col "$name" 2) + $(col "$name" 3)" 2)"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$wall" "$(fmt "$(calc "$LOG_LINES / $wall" 0)")" \
        "$cpu" "$(fmt "$(calc "$LOG_LINES / $cpu" 0)")" \
        "$inproc" "$(median <"$WORK/$name.inproccpu")" "$(fmt "$(calc "$LOG_LINES / $inproc" 0)")" "$(fmt "$(calc "$OUTCOMES / $inproc" 0)")" \
        "$(calc "$(col "$name" 4) / 1024" 0)" "$(col "$name" 5) / $(col "$name" 6)"
}
goal() { # goal LABEL FIGURE TARGET: met when FIGURE >= TARGET
    local verdict="NOT met"
    awk -v f="$2" -v t="$3" 'BEGIN { exit !(f >= t) }' && verdict="met"
    printf '| %s | %s | ≥ %s | %s |\n' "$1" "$(fmt "$2" 2>/dev/null)" "$(fmt "$3")" "$verdict"
}
ratio_goal() {
    local verdict="NOT met"
    awk -v f="$2" 'BEGIN { exit !(f >= 4) }' && verdict="met"
    printf '| %s | %s | ≥ 4 | %s |\n' "$1" "$2" "$verdict"
}

{
    echo "# Log classification benchmark"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $NCPU CPUs ($(uname -r)), .NET SDK $(dotnet --version), $PFLOGSUMM_VERSION (Debian package)."
    echo "Built from $BUILT. Every measured process pinned to CPU $CORE (\`taskset -c $CORE\`); $RUNS runs each, medians shown."
    echo
    echo "Log: $(fmt "$LOG_LINES") generated Postfix lines, $LOG_MB MiB (seed $SEED): $(fmt "$OUTCOMES") smtp delivery outcomes"
    echo "($(fmt "$(ours delivered)") sent, $(fmt "$(ours deferred)") deferred, $(fmt "$(ours bounced)") bounced, reply texts from templates/providers/*/examples.json),"
    echo "the rest smtpd, cleanup, qmgr, bounce, anvil, TLS and opendkim lines."
    echo
    echo "wall and CPU = the whole process (user + system; runtime start-up and, for LogBench, loading the provider"
    echo "packs, about 1 s, included); in-process = LogBench's own clocks around file → LogLineReader → PostfixLogParser"
    echo "→ classifier. others = cores used by other processes during the run (the machine has $NCPU); steal = % of the"
    echo "core taken by the hypervisor. When others are busy, they share the pinned core and wall times stretch: the"
    echo "CPU-time rates are then the better measure of what one core does."
    echo
    echo "| tool, mode | wall s | lines/s (wall) | CPU s | lines/s (CPU) | in-process s | in-process CPU s | lines/s (in-process) | outcomes/s (in-process) | peak RSS MiB | others / steal % |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    printf '| pflogsumm | %s | %s | %s | %s | | | | | %s | %s |\n' "$PF_WALL" "$(fmt "$PF_RATE")" "$PF_CPU" "$(fmt "$PF_CPU_RATE")" \
        "$(calc "$(col pflogsumm 4) / 1024" 0)" "$(col pflogsumm 5) / $(col pflogsumm 6)"
    for mode in $MODES; do
        case "$mode" in
            ingest) label="**LogBench ingest**: \`Classify\` on deferred/bounced, \`ProviderFor\` on delivered" ;;
            classify-all) label="LogBench classify-all: \`Classify\` on every outcome" ;;
            parse) label="LogBench parse: no classifier" ;;
            read) label="LogBench read: lines only" ;;
            *) label="LogBench $mode" ;;
        esac
        row "logbench-$mode" "$label"
    done
    echo
    echo "| goal | figure | target | |"
    echo "| --- | ---: | --- | --- |"
    for mode in $MODES; do
        [[ "$mode" == ingest || "$mode" == classify-all ]] || continue
        wall="$(col "logbench-$mode" 1)"
        cpu="$(calc "$(col "logbench-$mode" 2) + $(col "logbench-$mode" 3)" 2)"
        ratio_goal "LogBench $mode ÷ pflogsumm, lines/s by wall time" "$(calc "$PF_WALL / $wall" 2)"
        ratio_goal "LogBench $mode ÷ pflogsumm, lines/s by CPU time" "$(calc "$PF_CPU / $cpu" 2)"
        goal "LogBench $mode, lines/s on one core by wall time" "$(calc "$LOG_LINES / $wall" 0)" 100000
        goal "LogBench $mode, lines/s on one core by CPU time" "$(calc "$LOG_LINES / $cpu" 0)" 100000
    done
    echo
    for mode in ingest classify-all; do
        [[ " $MODES " == *" $mode "* ]] || continue
        cdel="$(median <"$WORK/logbench-$mode.cdel")"; cfail="$(median <"$WORK/logbench-$mode.cfail")"
        inproc="$(median <"$WORK/logbench-$mode.inproc")"
        if [[ "$mode" == ingest ]]; then what="\`ProviderFor\`"; else what="\`Classify\`"; fi
        echo "Where the time goes ($mode, medians, by the clock): $inproc s in-process, of which the classifier"
        echo "($what) took $cdel s for the $(fmt "$(ours delivered)") delivered outcomes ($(calc "1000000 * $cdel / $(ours delivered)" 2) µs each) and \`Classify\` $cfail s for the"
        echo "$(fmt "$(($(ours deferred) + $(ours bounced)))") deferred and bounced ones ($(calc "1000000 * $cfail / ($(ours deferred) + $(ours bounced))" 1) µs each); reading and parsing alone (parse mode)"
        [[ -f "$WORK/logbench-parse.inproc" ]] && echo "took $(median <"$WORK/logbench-parse.inproc") s ($(median <"$WORK/logbench-parse.inproccpu") s CPU; $mode: $(median <"$WORK/logbench-$mode.inproccpu") s CPU)." || echo "was not measured."
        echo
    done
    echo "Sanity check, outcomes by status against pflogsumm's Grand Totals for the same log:"
    echo "delivered $(fmt "$(ours delivered)") vs $(fmt "${PF_DELIVERED:-0}"), deferred $(fmt "$(ours deferred)") vs $(fmt "${PF_DEFERRALS:-0}") deferrals,"
    echo "bounced $(fmt "$(ours bounced)") vs $(fmt "${PF_BOUNCED:-0}"); lines LogBench found malformed: $(kv malformed "$SAMPLE")."
    echo
    echo "Outcomes by provider and kind ($first mode, one run; \`-\` = none):"
    echo
    echo "| provider | delivered | deferred | bounced | deferred/bounced by kind |"
    echo "| --- | ---: | ---: | ---: | --- |"
    awk -F'\t' '$1 == "count" {
            p = $2; n[p, $3] += $5; seen[p] = 1
            if ($3 != "delivered") k[p] = k[p] (k[p] == "" ? "" : ", ") $3 " " $4 " " $5
        }
        END { for (p in seen) printf "| %s | %d | %d | %d | %s |\n", p, n[p, "delivered"], n[p, "deferred"], n[p, "bounced"], k[p] }' "$SAMPLE" | sort
} >"$RESULTS"

cat "$RESULTS"
log "written to ${RESULTS#"$ROOT"/}"

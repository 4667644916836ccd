#!/usr/bin/env bash
# Bounce (DSN) parsing benchmark: Postmaster's BounceParser + ResponseClassifier against Sisimai
# (Debian libsisimai-perl) on the same 629 real bounces, in the same run. See bench/README.md ("Bounces").
#
# 1. Sisimai: one perl process, Sisimai->make($path) per file, PASSES passes (bench/bounces/sisimai-bench.pl).
# 2. Postmaster: one process (BounceBench, Release), parse + classify every file, PASSES passes.
# 3. Compare: messages/s and agreement on block-type reasons; every disagreement goes to
#    bench/out/bounces-disagreements.md with its curated reason from bench/bounces/explanations.tsv,
#    the figures to bench/out/bounces-results.md.
#
# Installs libsisimai-perl when it is missing (needs root for apt-get).
# Usage: bench/bounces/run.sh      (settings below; all can be overridden from the environment)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CORPUS="${CORPUS:-$ROOT/../shared/corpus/bounces/maildir/bsd}"
OUT_DIR="${OUT_DIR:-$ROOT/bench/out}"
# Timed passes over the corpus, each side; the median pass is reported. 11, not fewer: Postmaster's first passes
# after the cold one include the heap settling (gen0/gen1 collections of 100-150 ms each, measured on a VM whose
# reported 260 MiB L3 makes the gen0 budget large), which with 7 passes can be the median; Sisimai's passes are even.
PASSES="${PASSES:-11}"
QUIET_WAIT="${QUIET_WAIT:-120}"          # seconds to wait, before each side, for other processes to quiet down
QUIET_CORES="${QUIET_CORES:-0.3}"        # "quiet": the whole machine busy on less than this many cores

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }   # calc EXPR [DECIMALS]
TICKS="$(getconf CLK_TCK)"
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; } # user nice system irq softirq steal

# wait_quiet: up to QUIET_WAIT s until the machine is busy on fewer than QUIET_CORES cores (1 s samples).
wait_quiet() {
    local waited=0 before after cores
    while :; do
        before="$(busy_ticks)"; sleep 1; after="$(busy_ticks)"
        cores="$(calc "($after - $before) / $TICKS")"
        if awk "BEGIN { exit !($cores <= $QUIET_CORES) }"; then log "machine quiet ($cores cores busy)"; return 0; fi
        waited=$((waited + 1))
        if ((waited >= QUIET_WAIT)); then log "still $cores cores busy after ${QUIET_WAIT}s: measuring anyway (see the Noise lines)"; return 0; fi
    done
}

# measure NAME CMD...: runs CMD and appends to $WORK/noise how busy everyone else kept the machine meanwhile.
measure() {
    local name="$1" before after real user sys; shift
    wait_quiet
    before="$(busy_ticks)"
    local TIMEFORMAT='%R %U %S'
    { time "$@" 2>&3 ; } 3>&2 2>"$WORK/$name.time"
    after="$(busy_ticks)"
    read -r real user sys < <(tail -n 1 "$WORK/$name.time")
    printf -- '- %s: %s s wall, %s s CPU of its own; other processes kept %s cores busy meanwhile (load average %s)\n' \
        "$name" "$real" "$(calc "$user + $sys")" "$(calc "(($after - $before) / $TICKS - $user - $sys) / $real")" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/noise"
}

command -v dotnet >/dev/null || die "dotnet (SDK 10) not found."
command -v perl >/dev/null || die "perl not found."
[[ -d "$CORPUS" ]] || die "corpus not found: $CORPUS (../shared/corpus beside the checkout; see its README)."

if ! perl -MSisimai -e 1 2>/dev/null; then
    [[ "$(id -u)" == 0 ]] || die "Sisimai is missing; run as root to install libsisimai-perl, or install it yourself."
    log "installing libsisimai-perl"
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends libsisimai-perl >/dev/null
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/postmaster-bouncebench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT_DIR"

log "building BounceBench (Release)"
dotnet build -c Release -nologo -v quiet "$HERE/BounceBench/BounceBench.csproj" -o "$WORK/bin" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; die "build failed"; }

log "Sisimai $(perl -MSisimai -e 'print $Sisimai::VERSION'): $PASSES passes over $(find "$CORPUS" -maxdepth 1 -name '*.eml' | wc -l) files"
measure Sisimai perl "$HERE/sisimai-bench.pl" "$CORPUS" "$PASSES" "$OUT_DIR/bounces-sisimai.tsv" "$WORK/sisimai-times.txt"

log "Postmaster: $PASSES passes"
measure Postmaster dotnet "$WORK/bin/BounceBench.dll" \
    --corpus "$CORPUS" \
    --templates "$ROOT/templates" \
    --out "$OUT_DIR" \
    --iterations "$PASSES" \
    --sisimai-rows "$OUT_DIR/bounces-sisimai.tsv" \
    --sisimai-times "$WORK/sisimai-times.txt" \
    --explanations "$HERE/explanations.tsv"

{
    echo
    echo "**Noise** (whole process runs, start-up included; trust the ratios of a run where others kept well under one core busy):"
    cat "$WORK/noise"
} | tee -a "$OUT_DIR/bounces-results.md"
log "results: $OUT_DIR/bounces-results.md; disagreements: $OUT_DIR/bounces-disagreements.md"

#!/usr/bin/env bash
# Cairn against make on the same 200-job DAG of `true` steps, two at a time: what Cairn adds to each job.
# Usage: bash bench/dag-vs-make/run.sh
# Environment: RUNS (timed runs per tool, default 5), PARALLEL (default 2), LAYERS/WIDTH (default 10/20),
#              SKIP_BUILD=1 (reuse bench/out/cairn as it is).
# It reports; it does not fail when the target is missed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/bench/out"
dag="$out/dag"
cairn="$out/cairn/cairn"
runs=${RUNS:-5}
parallel=${PARALLEL:-2}
layers=${LAYERS:-10}
width=${WIDTH:-20}
jobs=$((layers * width))
target=2.0

say() { printf '%s\n' "$*"; }

# --- tools -------------------------------------------------------------------------------------------------
need_install=()
command -v make >/dev/null || need_install+=(make)
command -v hyperfine >/dev/null || need_install+=(hyperfine)
if ((${#need_install[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${need_install[*]}..."
        apt-get update -qq >/dev/null && apt-get install -y -qq "${need_install[@]}" >/dev/null || true
    else
        say "note: missing ${need_install[*]}; install with: apt-get install -y ${need_install[*]}"
    fi
fi
command -v make >/dev/null || { say "error: make is required"; exit 1; }
have_hyperfine=false
command -v hyperfine >/dev/null && have_hyperfine=true

# --- build -------------------------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-} != 1 || ! -x $cairn ]]; then
    say "building cairn (Release) into bench/out/cairn..."
    dotnet publish "$root/src/Cairn.Cli" -c Release -o "$out/cairn" -nologo -v quiet >/dev/null
fi

# --- scenario ----------------------------------------------------------------------------------------------
"$root/bench/dag-vs-make/generate.sh" "$dag" "$layers" "$width" true
"$cairn" validate "$dag" >/dev/null

cairn_run="$cairn run $dag --parallel $parallel"
make_run="make -j$parallel -C $dag -f Makefile all"

# Sanity: both must actually run every job (a make that says "nothing to do" would time nothing).
"$cairn" run "$dag" --parallel "$parallel" >/dev/null 2>&1 || { say "error: the cairn run did not succeed"; exit 1; }
[[ $(make -j"$parallel" -C "$dag" -f Makefile all 2>&1 | grep -c '^true$') == "$jobs" ]] \
    || { say "error: make did not run $jobs recipes"; exit 1; }

# --- timing ------------------------------------------------------------------------------------------------
# Prints "mean_seconds stddev_seconds min_seconds" for a command run RUNS times after one warm-up.
measure() {
    local command=$1 warmup=${2:-1} count=${3:-$runs}
    if $have_hyperfine; then
        local csv
        csv=$(mktemp)
        hyperfine --style none --warmup "$warmup" --runs "$count" --output null --export-csv "$csv" "$command" >/dev/null
        awk -F, 'NR == 2 { printf "%.4f %.4f %.4f\n", $2, $3, $7 }' "$csv"
        rm -f "$csv"
    else
        local i start end times=()
        for ((i = 0; i < warmup; i++)); do bash -c "$command" >/dev/null 2>&1; done
        for ((i = 0; i < count; i++)); do
            start=$(date +%s%N)
            bash -c "$command" >/dev/null 2>&1
            end=$(date +%s%N)
            times+=($((end - start)))
        done
        printf '%s\n' "${times[@]}" | awk '
            { t = $1 / 1e9; s += t; q += t * t; if (NR == 1 || t < m) m = t }
            END { mean = s / NR; v = q / NR - mean * mean; printf "%.4f %.4f %.4f\n", mean, (v > 0 ? sqrt(v) : 0), m }'
    fi
}

say "timing ($runs runs each after a warm-up; $($have_hyperfine && echo hyperfine || echo 'a bash loop'))..."
read -r help_mean help_sd help_min < <(measure "$cairn --help" 1 10)
read -r validate_mean validate_sd validate_min < <(measure "$cairn validate $dag" 1 10)
read -r make_mean make_sd make_min < <(measure "$make_run")
read -r cairn_mean cairn_sd cairn_min < <(measure "$cairn_run")

# --- report ------------------------------------------------------------------------------------------------
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }
row() { printf '  %-34s %8s ms  ± %5s   (min %s ms)\n' "$1" "$(ms "$2")" "$(ms "$3")" "$(ms "$4")"; }

say ""
say "scenario: $jobs one-step jobs running 'true' ($layers layers of $width; each job after layer 0 needs 2 of the layer before), --parallel $parallel / -j$parallel"
say ""
row "cairn --help (process start-up)" "$help_mean" "$help_sd" "$help_min"
row "cairn validate (start-up + parse)" "$validate_mean" "$validate_sd" "$validate_min"
row "make -j$parallel all" "$make_mean" "$make_sd" "$make_min"
row "cairn run --parallel $parallel" "$cairn_mean" "$cairn_sd" "$cairn_min"
say ""
awk -v c="$cairn_mean" -v m="$make_mean" -v v="$validate_mean" -v n="$jobs" -v p="$parallel" -v target="$target" 'BEGIN {
    ratio = c / m
    extra = c - m
    per_job = (extra - v) / n
    printf "  ratio cairn/make                   %.2fx  (target: within %.1fx of make; %s)\n", ratio, target, (ratio <= target ? "MET" : "NOT MET")
    printf "  extra wall time over make          %.0f ms\n", extra * 1000
    printf "    of which fixed (validate)        %.0f ms\n", v * 1000
    printf "    per job, wall                    %.2f ms   = (cairn - make - validate) / %d jobs\n", per_job * 1000, n
    printf "    per job, on its worker           %.2f ms   = the above x %d workers running side by side\n", per_job * p * 1000, p
}'

say ""
say "machine:"
say "  cpus     $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
say "  memory   $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
say "  kernel   $(uname -sr)"
say "  dotnet   $(dotnet --version 2>/dev/null || echo '?')"
say "  make     $(make --version | head -1)"
say "  load     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at the end of the run: other work on the machine skews the figures)"

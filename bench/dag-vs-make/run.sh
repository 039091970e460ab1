#!/usr/bin/env bash
# Cairn against make on the same DAGs of `true` steps, two at a time: what Cairn adds to each job. Three graphs by
# default: 10 layers of 20 where each job needs 2 of the layer before, 20 layers of 10 where each job needs all 10 of
# the layer before, and 50 layers of 20 (1,000 jobs) needing 2.
# Usage: bash bench/dag-vs-make/run.sh
# Environment: RUNS (timed runs per tool, default 5), PARALLEL (default 2),
#              GRAPHS (default "10x20:2 20x10:all 50x20:2": LAYERSxWIDTH:NEEDS, NEEDS is 2 or all),
#              SKIP_BUILD=1 (reuse bench/out/cairn-native as it is), NO_HYPERFINE=1 (time with a bash loop),
#              BEFORE=path/to/cairn (another build, e.g. of the commit before, timed beside this one on every graph).
# It reports; it does not fail when the target is missed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/bench/out"
cairn="$out/cairn-native/cairn"
runs=${RUNS:-5}
parallel=${PARALLEL:-2}
graphs=${GRAPHS:-10x20:2 20x10:all 50x20:2}
target=2.0
before=${BEFORE:-}
[[ -z $before || -x $before ]] || { printf 'error: BEFORE=%s is not an executable\n' "$before"; exit 1; }

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
command -v hyperfine >/dev/null && [[ ${NO_HYPERFINE:-} != 1 ]] && have_hyperfine=true

# --- build -------------------------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-} != 1 || ! -x $cairn ]]; then
    # The native build: `cairn run` compiled ahead of time (the managed program it hands other commands to in lib/).
    say "building cairn's native build (Release) into bench/out/cairn-native..."
    dotnet publish "$root/src/Cairn.Cli" -c Release -p:Native=true -o "$out/cairn-native" -nologo -v quiet >/dev/null
fi

# --- timing ------------------------------------------------------------------------------------------------
# Prints "mean stddev min median user system" (seconds; user and system are CPU time per run, mean) for a
# command run RUNS times after warm-ups.
measure() {
    local command=$1 warmup=${2:-1} count=${3:-$runs}
    if $have_hyperfine; then
        local csv log
        csv=$(mktemp)
        log=$(mktemp)
        # Its warnings (outliers on a busy machine) would break up the report; on failure they are shown.
        hyperfine --style none --warmup "$warmup" --runs "$count" --output null --export-csv "$csv" "$command" >"$log" 2>&1 \
            || { cat "$log" >&2; rm -f "$csv" "$log"; return 1; }
        awk -F, 'NR == 2 { printf "%.4f %.4f %.4f %.4f %.4f %.4f\n", $2, $3, $7, $4, $5, $6 }' "$csv"
        rm -f "$csv" "$log"
    else
        local i line TIMEFORMAT='%R %U %S'
        for ((i = 0; i < warmup; i++)); do bash -c "$command" >/dev/null 2>&1; done
        for ((i = 0; i < count; i++)); do
            { time bash -c "$command" >/dev/null 2>&1; } 2>&1
        done | sort -n | awk '
            { t[NR] = $1; s += $1; q += $1 * $1; u += $2; y += $3 }
            END {
                mean = s / NR; v = q / NR - mean * mean
                median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                printf "%.4f %.4f %.4f %.4f %.4f %.4f\n", mean, (v > 0 ? sqrt(v) : 0), t[1], median, u / NR, y / NR
            }'
    fi
}

ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }
cpu() { awk -v u="$1" -v y="$2" 'BEGIN { printf "%.0f", (u + y) * 1000 }'; }
row() { printf '  %-34s %7s %7s %7s %7s\n' "$@"; }

say "timing ($runs runs each after a warm-up; $($have_hyperfine && echo hyperfine || echo 'a bash loop'))..."
first="$out/dag-validate"
"$root/bench/dag-vs-make/generate.sh" "$first" 2 2 true 2 >/dev/null
read -r help_mean help_sd help_min _ help_user help_sys < <(measure "$cairn --help" 1 10)
read -r validate_mean validate_sd validate_min _ validate_user validate_sys < <(measure "$cairn validate $first" 1 10)
# A run of one job: what every run pays before its first step and after its last (start-up, store, teardown).
one="$out/dag-one"
"$root/bench/dag-vs-make/generate.sh" "$one" 1 1 true 2 >/dev/null
read -r one_mean one_sd one_min _ one_user one_sys < <(measure "$cairn run $one --parallel $parallel" 1 10)
say ""
row "wall ms (cpu = user+sys ms)" mean "± sd" min cpu
row "cairn --help (process start-up)" "$(ms "$help_mean")" "$(ms "$help_sd")" "$(ms "$help_min")" "$(cpu "$help_user" "$help_sys")"
row "cairn validate (start-up + parse)" "$(ms "$validate_mean")" "$(ms "$validate_sd")" "$(ms "$validate_min")" "$(cpu "$validate_user" "$validate_sys")"
row "cairn run, one job (fixed cost)" "$(ms "$one_mean")" "$(ms "$one_sd")" "$(ms "$one_min")" "$(cpu "$one_user" "$one_sys")"
if [[ -n $before ]]; then
    read -r bone_mean bone_sd bone_min _ bone_user bone_sys < <(measure "$before run $one --parallel $parallel" 1 10)
    row "cairn run, one job, BEFORE" "$(ms "$bone_mean")" "$(ms "$bone_sd")" "$(ms "$bone_min")" "$(cpu "$bone_user" "$bone_sys")"
fi

summary=()
for graph in $graphs; do
    shape=${graph%%:*}
    needs=${graph#*:}
    [[ $needs == "$graph" ]] && needs=2
    layers=${shape%%x*}
    width=${shape#*x}
    jobs=$((layers * width))
    dag="$out/dag-$layers-$width-$needs"

    # --- scenario ------------------------------------------------------------------------------------------
    "$root/bench/dag-vs-make/generate.sh" "$dag" "$layers" "$width" true "$needs" >/dev/null
    "$cairn" validate "$dag" >/dev/null
    cairn_run="$cairn run $dag --parallel $parallel"
    make_run="make -j$parallel -C $dag -f Makefile all"

    # Sanity: both must actually run every job (a make that says "nothing to do" would time nothing).
    "$cairn" run "$dag" --parallel "$parallel" >/dev/null 2>&1 || { say "error: the cairn run of $graph did not succeed"; exit 1; }
    [[ $(make -j"$parallel" -C "$dag" -f Makefile all 2>&1 | grep -c '^true$') == "$jobs" ]] \
        || { say "error: make did not run $jobs recipes of $graph"; exit 1; }

    read -r make_mean make_sd make_min _ make_user make_sys < <(measure "$make_run")
    read -r cairn_mean cairn_sd cairn_min _ cairn_user cairn_sys < <(measure "$cairn_run")
    if [[ -n $before ]]; then
        read -r before_mean before_sd before_min _ before_user before_sys < <(measure "$before run $dag --parallel $parallel")
    fi

    # --- report --------------------------------------------------------------------------------------------
    if [[ $needs == all ]]; then
        shape_text="each job after layer 0 needs all $width of the layer before"
    else
        shape_text="each job after layer 0 needs 2 of the layer before"
    fi
    say ""
    say "graph $graph: $jobs one-step jobs running 'true' ($layers layers of $width; $shape_text), --parallel $parallel / -j$parallel"
    row "make -j$parallel all" "$(ms "$make_mean")" "$(ms "$make_sd")" "$(ms "$make_min")" "$(cpu "$make_user" "$make_sys")"
    row "cairn run --parallel $parallel" "$(ms "$cairn_mean")" "$(ms "$cairn_sd")" "$(ms "$cairn_min")" "$(cpu "$cairn_user" "$cairn_sys")"
    if [[ -n $before ]]; then
        row "cairn run, BEFORE" "$(ms "$before_mean")" "$(ms "$before_sd")" "$(ms "$before_min")" "$(cpu "$before_user" "$before_sys")"
        awk -v c="$cairn_mean" -v b="$before_mean" -v m="$make_mean" -v cc="$(cpu "$cairn_user" "$cairn_sys")" -v bc="$(cpu "$before_user" "$before_sys")" 'BEGIN {
            printf "  this build against BEFORE          wall %.2fx, cpu %.2fx  (BEFORE/make %.2fx)\n", c / b, cc / bc, b / m }'
    fi
    verdict=$(awk -v c="$cairn_mean" -v m="$make_mean" -v cmin="$cairn_min" -v mmin="$make_min" -v v="$one_mean" \
        -v ccpu="$(cpu "$cairn_user" "$cairn_sys")" -v mcpu="$(cpu "$make_user" "$make_sys")" -v vcpu="$(cpu "$one_user" "$one_sys")" \
        -v n="$jobs" -v p="$parallel" -v target="$target" -v graph="$graph" 'BEGIN {
        ratio = c / m
        extra = c - m
        per_job = (extra - v) / n
        printf "  ratio cairn/make (means)           %.2fx  (target: within %.1fx of make: %s)\n", ratio, target, (ratio <= target ? "MET" : "NOT MET")
        printf "  ratio cairn/make (best runs)       %.2fx\n", cmin / mmin
        printf "  extra wall time over make          %.0f ms\n", extra * 1000
        printf "    fixed cost (the one-job run)     %.0f ms   = %.0f%% of the extra\n", v * 1000, (extra > 0 ? 100 * v / extra : 0)
        printf "    per job, wall                    %.2f ms   = (cairn - make - one-job run) / %d jobs\n", per_job * 1000, n
        printf "    per job, on its worker           %.2f ms   = the above x %d workers running side by side\n", per_job * p * 1000, p
        printf "  extra cpu time per job             %.2f ms   = (cairn cpu - make cpu - one-job run cpu) / %d jobs\n", (ccpu - mcpu - vcpu) / n, n
        printf "SUMMARY %-10s make %6.0f ms  cairn %6.0f ms  ratio %.2fx (best %.2fx)  target %.1fx: %s\n", graph, m * 1000, c * 1000, ratio, cmin / mmin, target, (ratio <= target ? "MET" : "NOT MET")
    }')
    say "$(grep -v '^SUMMARY' <<<"$verdict")"
    line=$(grep '^SUMMARY' <<<"$verdict" | sed 's/^SUMMARY /  /')
    [[ -n $before ]] && line+=$(awk -v b="$before_mean" -v m="$make_mean" 'BEGIN { printf "  (BEFORE %.0f ms, %.2fx)", b * 1000, b / m }')
    summary+=("$line")
done

say ""
say "summary (means; load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%s\n' "${summary[@]}"
say ""
say "machine:"
say "  cpus     $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
say "  memory   $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
say "  kernel   $(uname -sr)"
say "  dotnet   $(dotnet --version 2>/dev/null || echo '?')"
say "  make     $(make --version | head -1)"
say "  load     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at the end of the run: other work on the machine skews the figures)"

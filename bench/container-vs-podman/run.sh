#!/usr/bin/env bash
# Cairn's container executor against the bare `podman run --rm`: one-step jobs running `true` in the same small image,
# one after another, in ROUNDS rounds of JOBS jobs each. A round runs a block through Cairn and a block through podman,
# alternating which goes first, so a change of load hits both. What Cairn adds to each container job, every round.
# Usage: bash bench/container-vs-podman/run.sh
# Environment: ROUNDS (default 5), JOBS per block (default 20), IMAGE (default the test busybox image),
# SKIP_BUILD=1 (reuse the last build), PROFILE=1 (the driver prints every engine call of each job to stderr).
# It reports; it does not fail when the target is missed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/container-bench"
rounds=${ROUNDS:-5}
jobs=${JOBS:-20}
target=1.2

say() { printf '%s\n' "$*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

if [[ -z ${CAIRN_TEST_DOCKER_HOST:-} ]]; then
    eval "$(bash "$root/.ci/engines.sh")"
fi
image=${IMAGE:-$CAIRN_TEST_IMAGE}
engine=$CAIRN_TEST_DOCKER_HOST

if [[ ${SKIP_BUILD:-} != 1 || ! -x $out/ContainerBench ]]; then
    say "building the benchmark driver (Release) into bench/out/container-bench..."
    dotnet publish "$here/ContainerBench/ContainerBench.csproj" -c Release -o "$out" --nologo -v quiet >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One block through Cairn: per-job times (to each job's outcome) appended to $work/cairn.jobs; prints the block's
# total, which runs until the executor has removed every container.
cairn_block() {
    "$out/ContainerBench" "$jobs" "$image" "$engine" > "$work/block"
    grep '^job ' "$work/block" | cut -d' ' -f2 >> "$work/cairn.jobs"
    grep '^total ' "$work/block" | cut -d' ' -f2
}

# One block through podman: one untimed warm-up, like the driver's first job; per-job times appended to
# $work/podman.jobs; prints the block's total.
podman_block() {
    podman run --rm "$image" true
    local block_start start end
    block_start=$(date +%s%N)
    for _ in $(seq 1 "$jobs"); do
        start=$(date +%s%N)
        podman run --rm "$image" true
        end=$(date +%s%N)
        awk -v ns=$((end - start)) 'BEGIN { printf "%.1f\n", ns / 1e6 }' >> "$work/podman.jobs"
    done
    awk -v ns=$(($(date +%s%N) - block_start)) 'BEGIN { printf "%.1f\n", ns / 1e6 }'
}

say "$rounds rounds of $jobs jobs through Cairn's container executor ($engine) and through podman run --rm $image true"
say ""
printf '%-6s %-13s %12s %12s %7s  %-8s %s\n' round first "cairn ms" "podman ms" ratio target "load (1, 5, 15 min)"
for round in $(seq 1 "$rounds"); do
    if (( round % 2 )); then
        first=cairn; cairn=$(cairn_block); podman=$(podman_block)
    else
        first=podman; podman=$(podman_block); cairn=$(cairn_block)
    fi
    printf '%s %s %s\n' "$round" "$cairn" "$podman" >> "$work/rounds"
    awk -v r="$round" -v f="$first" -v c="$cairn" -v p="$podman" -v t="$target" -v l="$(load)" 'BEGIN {
        printf "%-6s %-13s %12.0f %12.0f %7.2f  %-8s %s\n", r, f, c, p, c / p, (c / p <= t ? "met" : "not met"), l }'
done

# Median and p90 (nearest rank) of a file of numbers.
percentiles() { # name file
    sort -n "$2" | awk -v name="$1" '
        { t[NR] = $1; sum += $1 }
        END { p50 = t[int((NR + 1) / 2)]; p90 = t[int(NR * 0.9 + 0.999)]
              printf "%-28s jobs %4d   median %7.1f ms   p90 %7.1f ms   mean %7.1f   min %7.1f   max %7.1f\n",
                     name, NR, p50, p90, sum / NR, t[1], t[NR] }'
}

say ""
say "per job, every round together:"
percentiles "cairn (start to outcome)" "$work/cairn.jobs"
percentiles "podman run --rm" "$work/podman.jobs"
awk -v t="$target" '
    { c += $2; p += $3; r = $2 / $3; if (NR == 1 || r > worst) { worst = r; at = $1 }; if (r > t) missed++ }
    END {
        printf "all rounds: cairn %.0f ms, podman %.0f ms, ratio %.2f\n", c, p, c / p
        printf "worst round: %d at %.2f; target within %.1fx in every round: %s (%d of %d rounds met)\n",
               at, worst, t, (missed ? "not met" : "met"), NR - missed, NR }' "$work/rounds"
say "a Cairn block's total runs until its executor has removed every container; a job's time ends at its outcome"
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load now $(load)"
say "podman: $(podman --version | cut -d' ' -f3)"

#!/usr/bin/env bash
# Cairn's container executor against the bare `podman run --rm`: 50 one-step jobs running `true` in the same small
# image, one after another, in the same invocation. What Cairn adds to each container job.
# Usage: bash bench/container-vs-podman/run.sh
# Environment: JOBS (default 50), IMAGE (default the test busybox image), SKIP_BUILD=1 (reuse the last build).
# It reports; it does not fail when the target is missed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/container-bench"
jobs=${JOBS:-50}
target=1.2

say() { printf '%s\n' "$*"; }

if [[ -z ${CAIRN_TEST_DOCKER_HOST:-} ]]; then
    eval "$(bash "$root/.ci/engines.sh")"
fi
image=${IMAGE:-$CAIRN_TEST_IMAGE}
engine=$CAIRN_TEST_DOCKER_HOST

if [[ ${SKIP_BUILD:-} != 1 || ! -x $out/ContainerBench ]]; then
    say "building the benchmark driver (Release) into bench/out/container-bench..."
    dotnet publish "$here/ContainerBench/ContainerBench.csproj" -c Release -o "$out" --nologo -v quiet >/dev/null
fi

# Per-job times in ms, one a line, into a file; then a summary line.
summarize() { # name file
    sort -n "$2" | awk -v name="$1" '
        { t[NR] = $1; sum += $1 }
        END { printf "%-26s total %8.0f ms   mean %6.1f ms   median %6.1f ms   min %6.1f   max %6.1f\n",
              name, sum, sum / NR, (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), t[1], t[NR] }'
}

cairn_times=$(mktemp); podman_times=$(mktemp)
trap 'rm -f "$cairn_times" "$podman_times"' EXIT

say "running $jobs jobs through Cairn's container executor ($engine)..."
"$out/ContainerBench" "$jobs" "$image" "$engine" > "$cairn_times"

say "running $jobs times: podman run --rm $image true..."
podman run --rm "$image" true   # warm-up, untimed, like the driver's first job
for _ in $(seq 1 "$jobs"); do
    start=$(date +%s%N)
    podman run --rm "$image" true
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.1f\n", ns / 1e6 }' >> "$podman_times"
done

say ""
say "per-job wall time, $jobs jobs each:"
summarize "cairn container executor" "$cairn_times"
summarize "podman run --rm" "$podman_times"
cairn_total=$(awk '{ s += $1 } END { print s }' "$cairn_times")
podman_total=$(awk '{ s += $1 } END { print s }' "$podman_times")
awk -v c="$cairn_total" -v p="$podman_total" -v target="$target" 'BEGIN {
    ratio = c / p
    printf "ratio (cairn / podman): %.2f   target: within %.1fx   %s\n", ratio, target, (ratio <= target ? "met" : "missed") }'
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "podman: $(podman --version | cut -d' ' -f3)"

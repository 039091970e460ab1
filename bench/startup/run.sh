#!/usr/bin/env bash
# How long `cairn` takes to start and answer, beside the cheapest programs there are: /bin/true (a process start and
# exit) and `git --version` (a small native CLI), in one hyperfine run so the ratios share the machine's load.
# Usage: bash bench/startup/run.sh
# Environment: RUNS (timed runs per command, default 30), SKIP_BUILD=1 (reuse bench/out/cairn as it is),
#              CAIRN=PATH (time another build of the CLI, e.g. one published before a change, beside this one).
# It reports; it does not fail when the target is missed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/bench/out"
cairn="$out/cairn/cairn"
runs=${RUNS:-30}
target_ms=50

say() { printf '%s\n' "$*"; }

if ! command -v hyperfine >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null || true
    fi
    command -v hyperfine >/dev/null || { say "error: hyperfine is required (apt-get install -y hyperfine)"; exit 1; }
fi

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cairn ]]; then
    say "publishing cairn (Release, ReadyToRun) into bench/out/cairn..."
    dotnet publish "$root/src/Cairn.Cli" -c Release -o "$out/cairn" -nologo -v quiet >/dev/null
fi

pipeline="$out/startup"
mkdir -p "$pipeline"
printf 'name: startup\njobs:\n  one:\n    steps:\n      - run: "true"\n' >"$pipeline/.cairn.yml"
"$cairn" validate "$pipeline" >/dev/null

commands=("/bin/true" "git --version" "$cairn --help" "$cairn validate $pipeline")
names=("/bin/true" "git --version" "cairn --help" "cairn validate (a one-job file)")
if [[ -n ${CAIRN:-} ]]; then
    commands+=("$CAIRN --help")
    names+=("cairn --help (CAIRN)")
fi

csv=$(mktemp)
log=$(mktemp)
trap 'rm -f "$csv" "$log"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# -N: no intermediate shell, so /bin/true is the floor of starting any process here.
hyperfine -N --style none --warmup 3 --runs "$runs" --output null --export-csv "$csv" "${commands[@]}" >"$log" 2>&1 \
    || { cat "$log" >&2; exit 1; }

say ""
say "start-up: each command $runs times after 3 warm-ups (hyperfine -N), in one run"
say ""
printf '  %-40s %8s %8s %8s %8s %8s\n' "ms" mean "± sd" min median cpu
awk -F, -v names="$(printf '%s\n' "${names[@]}")" 'BEGIN { n = split(names, label, "\n") }
    NR > 1 { i++; printf "  %-40s %8.1f %8.1f %8.1f %8.1f %8.1f\n", label[i], $2 * 1000, $3 * 1000, $7 * 1000, $4 * 1000, ($5 + $6) * 1000 }' "$csv"
say ""
awk -F, -v target="$target_ms" 'NR == 2 { t = $2 } NR == 3 { g = $2 } NR == 4 { c = $2; cmin = $7 }
    END {
        printf "  cairn --help / /bin/true            %.1fx\n", c / t
        printf "  cairn --help / git --version        %.1fx\n", c / g
        printf "  cairn --help above /bin/true        %.1f ms\n", (c - t) * 1000
        printf "  target: cairn --help under %d ms    %s (mean %.1f ms, best %.1f ms)\n", target, (c * 1000 < target ? "MET" : "NOT MET"), c * 1000, cmin * 1000
    }' "$csv"

ready=no
[[ -f "$out/cairn/cairn.dll" ]] && grep -qa "RTR" "$out/cairn/cairn.dll" && ready=yes
say ""
say "machine:"
say "  cpus     $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
say "  kernel   $(uname -sr)"
say "  dotnet   $(dotnet --version 2>/dev/null || echo '?')"
say "  build    $out/cairn (ReadyToRun: $ready)${CAIRN:+; CAIRN=$CAIRN}"
say "  load     $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after (1/5/15 min: other work on the machine skews the figures)"

#!/usr/bin/env bash
# How long `cairn` takes to start and answer, beside the cheapest programs there are: /bin/true (a process start and
# exit), `git --version` (a small native CLI) and a .NET program that prints one line, published as cairn is (the floor
# of any .NET start here), in one hyperfine run so the ratios share the machine's load.
# Usage: bash bench/startup/run.sh
# Environment: RUNS (timed runs per command, default 30), SKIP_BUILD=1 (reuse bench/out/cairn and bench/out/hello),
#              CAIRN=PATH (time another build of the CLI, e.g. one published before a change, beside this one),
#              NATIVE=1 (also publish the native build, -p:Native=true, into bench/out/cairn-native and time it),
#              COMPOSITE=1 (also publish and time both self-contained with a composite ReadyToRun image of the app and
#              the runtime; each such publish takes minutes).
# It reports; it does not fail when the target is missed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/bench/out"
cairn="$out/cairn/cairn"
hello="$out/hello/hello"
runs=${RUNS:-30}
target_ms=50

say() { printf '%s\n' "$*"; }

if ! command -v hyperfine >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine >/dev/null || true
    fi
    command -v hyperfine >/dev/null || { say "error: hyperfine is required (apt-get install -y hyperfine)"; exit 1; }
fi

publish() { # project, output folder, extra publish arguments...
    local project=$1 dir=$2
    shift 2
    dotnet publish "$project" -c Release -o "$dir" -nologo -v quiet "$@" >/dev/null
}

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cairn || ! -x $hello ]]; then
    say "publishing cairn and the one-line floor (Release, ReadyToRun) into bench/out..."
    publish "$root/src/Cairn.Cli" "$out/cairn"
    publish "$root/bench/startup/hello" "$out/hello" -r "$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')" \
        -p:PublishReadyToRun=true --self-contained false
fi
if [[ ${NATIVE:-} == 1 && (${SKIP_BUILD:-} != 1 || ! -x $out/cairn-native/cairn) ]]; then
    say "publishing the native build (-p:Native=true) into bench/out/cairn-native..."
    publish "$root/src/Cairn.Cli" "$out/cairn-native" -p:Native=true
fi
if [[ ${COMPOSITE:-} == 1 && (${SKIP_BUILD:-} != 1 || ! -x $out/cairn-composite/cairn) ]]; then
    say "publishing both self-contained, composite ReadyToRun (minutes)..."
    publish "$root/src/Cairn.Cli" "$out/cairn-composite" --self-contained true -p:PublishReadyToRunComposite=true
    publish "$root/bench/startup/hello" "$out/hello-composite" -r "$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')" \
        -p:PublishReadyToRun=true --self-contained true -p:PublishReadyToRunComposite=true
fi

pipeline="$out/startup"
mkdir -p "$pipeline"
printf 'name: startup\njobs:\n  one:\n    steps:\n      - run: "true"\n' >"$pipeline/.cairn.yml"
"$cairn" validate "$pipeline" >/dev/null

# The first five rows are read by name below; keep their order.
commands=("/bin/true" "git --version" "$hello" "$cairn --help" "$cairn --version" "$cairn validate $pipeline")
names=("/bin/true" "git --version" "hello (one line, .NET floor)" "cairn --help" "cairn --version" "cairn validate (a one-job file)")
if [[ ${COMPOSITE:-} == 1 ]]; then
    commands+=("$out/hello-composite/hello" "$out/cairn-composite/cairn --help")
    names+=("hello, composite" "cairn --help, composite")
fi
if [[ ${NATIVE:-} == 1 ]]; then
    commands+=("$out/cairn-native/cairn --help" "$out/cairn-native/cairn validate $pipeline" "$out/cairn-native/cairn run $pipeline" "$cairn run $pipeline")
    names+=("cairn --help, native" "cairn validate, native" "cairn run (one job), native" "cairn run (one job)")
fi
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
awk -F, -v target="$target_ms" 'NR == 2 { t = $2 } NR == 3 { g = $2 } NR == 4 { h = $2; hcpu = $5 + $6 } NR == 5 { c = $2; cmin = $7; ccpu = $5 + $6 }
    END {
        printf "  cairn --help / /bin/true            %.1fx\n", c / t
        printf "  cairn --help / git --version        %.1fx\n", c / g
        printf "  cairn --help / hello (the floor)    %.2fx (CPU %.2fx)\n", c / h, ccpu / hcpu
        printf "  cairn --help above hello            %.1f ms (CPU %.1f ms)\n", (c - h) * 1000, (ccpu - hcpu) * 1000
        printf "  target: cairn --help under %d ms    %s (mean %.1f ms, best %.1f ms)\n", target, (c * 1000 < target ? "MET" : "NOT MET"), c * 1000, cmin * 1000
    }' "$csv"

ready=no
[[ -f "$out/cairn/cairn.dll" ]] && grep -qa "RTR" "$out/cairn/cairn.dll" && ready=yes
jitted() { # methods the JIT compiles for one command line (what ReadyToRun left)
    local file
    file=$(mktemp)
    DOTNET_JitStdOutFile="$file" DOTNET_JitDisasmSummary=1 "$@" >/dev/null 2>&1 || true
    wc -l <"$file"
    rm -f "$file"
}
say ""
say "  methods JIT-compiled: hello $(jitted "$hello"), cairn --help $(jitted "$cairn" --help), cairn --version $(jitted "$cairn" --version), cairn validate $(jitted "$cairn" validate "$pipeline")"
say ""
say "machine:"
say "  cpus     $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
say "  kernel   $(uname -sr)"
say "  dotnet   $(dotnet --version 2>/dev/null || echo '?')"
say "  build    $out/cairn (ReadyToRun: $ready)${CAIRN:+; CAIRN=$CAIRN}"
say "  load     $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after (1/5/15 min: other work on the machine skews the figures)"

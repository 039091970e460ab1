#!/usr/bin/env bash
# Cairn's caches against tar on the same disk: saving and restoring a dependency tree, and what a warm cache saves the
# second run of a pipeline whose dependency step copies that tree in.
# Usage: bash bench/cache/run.sh
# Environment: RUNS (timed rounds, default 3), FILES (default 10000), FILE_KB (default 20: 10,000 x 20 KiB = 200 MB),
#              SKIP_BUILD=1 (reuse bench/out/cairn as it is), WORK (the folder to work in, default a temporary one).
# It reports; it does not fail when the target is missed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/bench/out"
cairn="$out/cairn/cairn"
runs=${RUNS:-3}
files=${FILES:-10000}
file_kb=${FILE_KB:-20}
target=1.3
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/cairn-cache-bench.XXXXXX")}
trap '[[ -z ${WORK:-} ]] && rm -rf "$work"' EXIT

say() { printf '%s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
mean() { awk '{ s += $1; n++ } END { printf "%.3f", s / n }'; }
best() { sort -g | head -1; }
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- build -------------------------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-} != 1 || ! -x $cairn ]]; then
    say "building cairn (Release) into bench/out/cairn..."
    dotnet publish "$root/src/Cairn.Cli" -c Release -o "$out/cairn" -nologo -v quiet >/dev/null
fi

# --- the tree: FILES files of FILE_KB KiB of random bytes in 100 folders ----------------------------------------
tree="$work/tree"
if [[ ! -d $tree ]]; then
    say "making $files files of $file_kb KiB under $tree..."
    python3 - "$tree" "$files" "$file_kb" <<'PY'
import os, sys, random
root, count, kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(16)
for i in range(count):
    folder = os.path.join(root, f"pkg{i % 100:03d}", f"v{i % 7}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"file{i:05d}.bin"), "wb") as f:
        f.write(rng.randbytes(kb * 1024))
PY
fi
bytes=$(du -sb "$tree" | cut -f1)

# --- the pipeline: the dependency step copies the tree in unless a cache brought it -----------------------------
repo="$work/repo"
mkdir -p "$repo"
cat > "$repo/.cairn.yml" <<'YML'
jobs:
  deps:
    cache:
      - key: deps-${{ hashFiles('deps.lock') }}
        paths: [deps]
    steps:
      - run: '[ -d deps ] || cp -r "$TREE" deps'
YML
echo v1 > "$repo/deps.lock"
"$cairn" validate "$repo" >/dev/null

cache_home="$work/xdg-cache"
cairn_run() { XDG_CACHE_HOME="$cache_home" "$cairn" run "$repo" --env "TREE=$tree" 2>&1; }
seconds_of() { sed -n "s/.*cache: $1 .* in \([0-9.]*\) \(m\{0,1\}s\).*/\1 \2/p" | head -1 | awk '{ printf "%.3f\n", $2 == "ms" ? $1 / 1000 : $1 }'; }

: > "$work/tar-save"; : > "$work/tar-restore"; : > "$work/cp"; : > "$work/cairn-save"; : > "$work/cairn-restore"
: > "$work/cold"; : > "$work/warm"
for round in $(seq 1 "$runs"); do
    say "round $round of $runs..."
    sync
    # tar, to and from the same disk
    start=$(now); tar -cf "$work/tree.tar" -C "$tree" .; since "$start" >> "$work/tar-save"
    rm -rf "$work/untar"; mkdir "$work/untar"; sync
    start=$(now); tar -xf "$work/tree.tar" -C "$work/untar"; since "$start" >> "$work/tar-restore"
    rm -rf "$work/untar" "$work/tree.tar"
    # the dependency step alone
    rm -rf "$work/copy"; sync
    start=$(now); cp -r "$tree" "$work/copy"; since "$start" >> "$work/cp"
    rm -rf "$work/copy"
    # a cold run (no cache: the step copies, the cache is saved), then a warm one (restored, the step skips)
    rm -rf "$cache_home" "$repo/deps"; sync
    start=$(now); log=$(cairn_run); since "$start" >> "$work/cold"
    grep -q "cache: saved" <<<"$log" || { say "error: the cold run saved no cache:"; say "$log"; exit 1; }
    seconds_of saved <<<"$log" >> "$work/cairn-save"
    rm -rf "$repo/deps"; sync
    start=$(now); log=$(cairn_run); since "$start" >> "$work/warm"
    grep -q "cache: restored" <<<"$log" || { say "error: the warm run restored no cache:"; say "$log"; exit 1; }
    seconds_of restored <<<"$log" >> "$work/cairn-restore"
    [[ -f $repo/deps/pkg000/v0/file00000.bin ]] || { say "error: the warm run's deps are missing"; exit 1; }
done

# --- report ------------------------------------------------------------------------------------------------
row() { printf '| %s | %s s | %s s | %s s |\n' "$1" "$(median < "$2")" "$(mean < "$2")" "$(best < "$2")"; }
ratio() { awk -v a="$(median < "$1")" -v b="$(median < "$2")" 'BEGIN { printf "%.2f", a / b }'; }
say ""
say "tree: $files files, $((bytes / 1000000)) MB; $runs rounds; machine: $(nproc) CPU, $(uname -r)"
say ""
say "| | median | mean | best |"
say "| --- | ---: | ---: | ---: |"
row "tar -cf (save baseline)" "$work/tar-save"
row "cairn: cache saved" "$work/cairn-save"
row "tar -xf (restore baseline)" "$work/tar-restore"
row "cairn: cache restored" "$work/cairn-restore"
row "cp -r of the tree (the dependency step)" "$work/cp"
row "cairn run, cold cache (copy + save)" "$work/cold"
row "cairn run, warm cache (restore, no copy)" "$work/warm"
say ""
save=$(ratio "$work/cairn-save" "$work/tar-save")
restore=$(ratio "$work/cairn-restore" "$work/tar-restore")
say "medians: save ${save}x tar; restore ${restore}x tar (target: within ${target}x); warm run $(ratio "$work/warm" "$work/cold")x the cold one"

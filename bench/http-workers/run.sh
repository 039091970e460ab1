#!/usr/bin/env bash
# HTTP workers beside direct-store workers: pickup latency, the cycle of a no-op job and jobs/s through K workers of each
# kind, and the MB/s of a step's output into the stored log; all against one real `cairn server --concurrency 0`.
# Usage: bash bench/http-workers/run.sh [--workers 2] [--concurrency 4] [--samples 100] [--jobs 400] [--per-run 10]
#                                       [--log-mb 50] [--modes direct,http]
# Store: PostgreSQL when CAIRN_TEST_POSTGRES is set (a fresh database, dropped afterwards), else SQLite (see README.md:
# on SQLite neither kind of worker is woken across processes, so pickup is bound by the idle poll).
# Environment: SKIP_BUILD=1 (reuse the last build). It reports; it does not fail when a target is missed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/http-workers"
cli="$root/src/Cairn.Cli/bin/Release/net10.0/cairn"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cli ]]; then
    echo "building the CLI and the driver (Release)..." >&2
    dotnet build "$root/src/Cairn.Cli" -c Release -nologo -v quiet >/dev/null
    dotnet build "$here/HttpWorkers.csproj" -c Release -nologo -v quiet >/dev/null
fi

rm -rf "$out"
mkdir -p "$out"
store=(--store sqlite)
if [[ -n ${CAIRN_TEST_POSTGRES:-} ]]; then
    store=(--store postgres --postgres "$CAIRN_TEST_POSTGRES")
fi

dotnet run -c Release --no-build --project "$here/HttpWorkers.csproj" -- --cli "$cli" --out "$out" "${store[@]}" "$@"

printf '\nmachine: %s cores, %s, %s GiB RAM; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"

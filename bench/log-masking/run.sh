#!/usr/bin/env bash
# Pushes a large log (200 MB by default, 20 secrets embedded now and then in their raw, base64, URL and JSON forms)
# through Cairn's SecretMasker alone, and through the masker and JobReporter into a real SQLite store and a real
# PostgreSQL store (CAIRN_BENCH_POSTGRES or CAIRN_TEST_POSTGRES), beside writing the same bytes raw to a file; prints
# MB/s, its ratio to the raw write, CPU time and memory for each, and each target met or not. It reports; it does not
# fail when a target is missed.
# Usage: bash bench/log-masking/run.sh [--mb 200] [--secrets 20] [--seed 1] [--stores sqlite,postgres]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/log-masking/LogMasking.csproj -c Release -nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project bench/log-masking/LogMasking.csproj -- --out bench/out/log-masking "$@"

printf '\nmachine: %s cores, %s; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(cut -d' ' -f1-3 /proc/loadavg)"

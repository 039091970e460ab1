#!/usr/bin/env bash
# Log ingestion with and without the log index (migration 7) on SQLite and PostgreSQL, beside a raw file write of the same
# lines; the index's size per million lines; search times through the index against a scan of every line. It reports; it
# does not fail. PostgreSQL is measured when CAIRN_TEST_POSTGRES (an Npgsql connection string of a user who may create
# databases) is set.
# Usage: bash bench/log-index/run.sh [--lines 1000000]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/log-index/LogIndex.csproj -c Release -nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project bench/log-index/LogIndex.csproj -- --out bench/out/log-index "$@"

printf '\nmachine: %s cores, %s; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Pushes no-op jobs through Cairn's job queue on SQLite and PostgreSQL, beside the bare database doing the same claim
# (a raw Microsoft.Data.Sqlite loop; pgbench with 8 clients), and prints jobs/s and pickup latency.
# Usage: bash bench/queue-throughput/run.sh [--jobs 20000] [--workers 8] [--producers 2] [--samples 200] [--stores sqlite,postgres]
# PostgreSQL: CAIRN_TEST_POSTGRES (an Npgsql connection string where databases may be created); when it is unset and
# this runs as root, .ci/engines.sh starts the local server. It reports; it does not fail when a target is missed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if [[ -z ${CAIRN_TEST_POSTGRES:-} && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    eval "$(bash .ci/engines.sh 2>/dev/null)" || echo "warning: PostgreSQL did not start; only SQLite will be measured"
fi

pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1 || true)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/queue-throughput/QueueThroughput.csproj -c Release -nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project bench/queue-throughput/QueueThroughput.csproj -- \
    --pgbench "${pgbench:-/usr/lib/postgresql/15/bin/pgbench}" "$@"

printf '\nmachine: %s cores, %s; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# The dashboard under a long history: a store seeded with 10,000 ended runs (100 repositories × 5 branches, 3 jobs and
# their steps each, one run of 20 jobs) and one job of 100,000 log lines; a real `cairn server` on it; every page timed
# beside its bare queries; then in headless Chromium the long job opened, searched and scrolled to its end, and a job
# printing 1,000 lines a second followed live.
# Usage: bash bench/dashboard/run.sh
# Environment: RUNS (default 10000), LINES (default 100000), REQUESTS (default 200), FOLLOW_SECONDS (default 10),
# PAGES_ONLY=1 (no browser), SKIP_BUILD=1, PORT, STORE=postgres with CONNECTION='Host=…;Username=…;Database=…' naming an
# EMPTY database (default: SQLite in the data directory), CHROMIUM (default /usr/bin/chromium).
# It reports; it does not fail. The server's log and the screenshots are left in bench/out/dashboard.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/dashboard"
cli="$root/src/Cairn.Cli/bin/Release/net10.0/cairn"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say() { printf '%s\n' "$*" >&2; }

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cli ]]; then
    say "building the CLI and the driver (Release)..."
    dotnet build "$root/src/Cairn.Cli" -c Release -nologo -v quiet >/dev/null
    dotnet build "$here/DashboardBench.csproj" -c Release -nologo -v quiet >/dev/null
fi

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "no free port found" >&2
    return 1
}
port=${PORT:-$(free_port)}
url="http://127.0.0.1:$port"

store_args=()
connection_args=()
if [[ ${STORE:-sqlite} == postgres ]]; then
    store_args=(--store postgres --connection "${CONNECTION:?STORE=postgres needs CONNECTION}" --new-admin-token)
    connection_args=(--connection "$CONNECTION")
fi

rm -rf "$out"
mkdir -p "$out/data"
driver=(dotnet run -c Release --no-build --project "$here/DashboardBench.csproj" --)
say "seeding ${RUNS:-10000} runs and a ${LINES:-100000}-line log (${STORE:-sqlite})..."
"${driver[@]}" seed --data "$out/data" --runs "${RUNS:-10000}" --lines "${LINES:-100000}" "${connection_args[@]}"

say "starting cairn server on $url..."
"$cli" server --data "$out/data" --urls "$url" --concurrency 1 "${store_args[@]}" >"$out/server.log" 2>&1 &
server=$!
stop_server() {
    if kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" 2>/dev/null || true
    fi
}
trap stop_server EXIT

for _ in $(seq 1 300); do
    if curl -fsS "$url/healthz" >/dev/null 2>&1 && [[ -s $out/data/admin.token ]]; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        say "the server exited; its log:"
        cat "$out/server.log" >&2
        exit 1
    fi
    sleep 0.1
done

extra=()
[[ ${PAGES_ONLY:-} == 1 ]] && extra=(--pages-only)
"${driver[@]}" measure --server "$url" --data "$out/data" --requests "${REQUESTS:-200}" \
    --follow-seconds "${FOLLOW_SECONDS:-10}" --out "$out/driver" "${connection_args[@]}" "${extra[@]}"

stop_server
printf '\nmachine: %s cores, %s, %s GiB RAM, %s; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
    "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(cut -d' ' -f1-3 /proc/loadavg)"

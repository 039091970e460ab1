#!/usr/bin/env bash
# Cairn's live logs under a crowd: one job printing numbered lines steadily on a real `cairn server`, followed over
# Server-Sent Events by 200 followers at once, timed per line and follower from the job's printf to the arrival; beside
# the same job followed by one.
# Usage: bash bench/sse-followers/run.sh [FOLLOWERS]      (default 200)
# Environment: LINES (default 400), INTERVAL_MS (default 50), PORT (default a free one), SKIP_BUILD=1 (reuse the last
# build), STORE=postgres with CONNECTION='Host=…;Username=…;Database=…' (default: SQLite in the data directory), and
# with it REPLICA=1: a second server (running no jobs) on the same database serves the followers.
# It reports; it does not fail. The server's log is left in bench/out/sse-followers.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/sse-followers"
followers=${1:-200}
cli="$root/src/Cairn.Cli/bin/Release/net10.0/cairn"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say() { printf '%s\n' "$*" >&2; }

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cli ]]; then
    say "building the CLI and the driver (Release)..."
    dotnet build "$root/src/Cairn.Cli" -c Release -nologo -v quiet >/dev/null
    dotnet build "$here/SseFollowers.csproj" -c Release -nologo -v quiet >/dev/null
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
if [[ ${STORE:-sqlite} == postgres ]]; then
    store_args=(--store postgres --connection "${CONNECTION:?STORE=postgres needs CONNECTION}")
fi
token_args=()
if [[ ${STORE:-sqlite} == postgres ]]; then
    # A database kept from an earlier run has a token whose file went with that run's data directory.
    token_args=(--new-admin-token)
fi

rm -rf "$out"
mkdir -p "$out/data"
say "starting cairn server on $url (${STORE:-sqlite}; data in bench/out/sse-followers/data)..."
"$cli" server --data "$out/data" --urls "$url" --concurrency 1 "${store_args[@]}" "${token_args[@]}" >"$out/server.log" 2>&1 &
server=$!
stop_server() {
    for pid in ${replica:-} "$server"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
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

follow_args=()
if [[ ${REPLICA:-} == 1 ]]; then
    [[ ${STORE:-} == postgres ]] || { say "REPLICA=1 needs STORE=postgres"; exit 1; }
    replica_port=$(free_port)
    replica_url="http://127.0.0.1:$replica_port"
    mkdir -p "$out/replica"
    say "starting a second replica on $replica_url (no jobs; it serves the followers)..."
    "$cli" server --data "$out/replica" --urls "$replica_url" --concurrency 0 "${store_args[@]}" >"$out/replica.log" 2>&1 &
    replica=$!
    for _ in $(seq 1 300); do
        curl -fsS "$replica_url/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    follow_args=(--follow-server "$replica_url" --server-pid "$replica")
else
    follow_args=(--server-pid "$server")
fi

dotnet run -c Release --no-build --project "$here/SseFollowers.csproj" -- \
    --server "$url" --data "$out/data" --followers "$followers" --lines "${LINES:-400}" --interval-ms "${INTERVAL_MS:-50}" \
    "${follow_args[@]}" --out "$out/driver"

stop_server
printf '\nmachine: %s cores, %s, %s GiB RAM; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"

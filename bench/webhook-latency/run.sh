#!/usr/bin/env bash
# Cairn's webhook-to-first-step latency: signed GitHub pushes of new commits to a local bare repository, sent one after
# another to a real `cairn server` (SQLite, concurrency 2), timed from just before each webhook leaves to the first
# command of the run's first step; beside the bare `git fetch` of the same commits into a bare mirror.
# Usage: bash bench/webhook-latency/run.sh [PUSHES]      (default 300)
# Environment: WARMUP (untimed pushes first, default 5), PORT (default a free one), SKIP_BUILD=1 (reuse the last build).
# It reports; it does not fail when the target is missed. The server's log is left in bench/out/webhook-latency.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/webhook-latency"
pushes=${1:-300}
cli="$root/src/Cairn.Cli/bin/Release/net10.0/cairn"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say() { printf '%s\n' "$*" >&2; }

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cli ]]; then
    say "building the CLI and the driver (Release)..."
    dotnet build "$root/src/Cairn.Cli" -c Release -nologo -v quiet >/dev/null
    dotnet build "$here/WebhookLatency.csproj" -c Release -nologo -v quiet >/dev/null
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

rm -rf "$out"
mkdir -p "$out/data"
say "starting cairn server on $url (data in bench/out/webhook-latency/data)..."
"$cli" server --data "$out/data" --urls "$url" --concurrency 2 >"$out/server.log" 2>&1 &
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

say "sending $pushes pushes (after ${WARMUP:-5} untimed)..."
dotnet run -c Release --no-build --project "$here/WebhookLatency.csproj" -- \
    --server "$url" --data "$out/data" --pushes "$pushes" --warmup "${WARMUP:-5}" --out "$out/driver"

stop_server
printf '\nmachine: %s cores, %s, %s GiB RAM; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'git %s, %s\n' "$(git --version | cut -d' ' -f3)" "$(bash --version | head -n 1 | sed 's/ (.*//')"

#!/usr/bin/env bash
# Cairn at a busy team's scale, in three parts, each runnable alone (PART=webhooks|pages|followers) or all in one go:
#  webhooks   100 signed GitHub pushes sent within one second, each a run of 10 shell jobs: on one server (SQLite), then
#             on two replicas (PostgreSQL) that the driver alternates between; every run must end, the answers and the
#             time from webhook to the first step are timed, beside /healthz at the same pace and a bare `git fetch`.
#  pages      the runs list API and the dashboard's /runs with 100,000 runs and 10 million log lines in the store
#             (SQLite, PostgreSQL), beside the bare SQL of each page; the seeded store is kept and reused.
#  followers  1,000 followers of one job's live log on one server (SQLite), beside one follower.
# Usage: bash bench/scale/run.sh
# Environment: PART (default all), STORES (default "sqlite postgres"), SKIP_BUILD=1, CAIRN_CLI (another build of cairn
#   to measure, e.g. one from before a change), CONNECTION (PostgreSQL, default
#   $CAIRN_TEST_POSTGRES; the part's own databases, cairn_scale_*, are made on that server),
#   webhooks: RUNS (100), JOBS (10), REPOS (10), WITHIN_MS (1000), CONCURRENCY (per server, 4), STEP (the shell command
#   of every job but the first, default true: e.g. a loop that keeps a core busy for a while), WARMUP (runs in each
#   warm-up burst before the measured one, default 30; 0 measures the servers' first burst);
#   pages: SEED_RUNS (100000), LINES (10000000), REQUESTS (200), RESEED=1 (seed again even when a seed is kept);
#   followers: FOLLOWERS (1000), FOLLOW_LINES (400), INTERVAL_MS (50).
# It reports each figure beside its baseline and target; it does not fail when a target is missed. Servers' logs are
# left in bench/out/scale.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bench/out/scale"
cli=${CAIRN_CLI:-"$root/src/Cairn.Cli/bin/Release/net10.0/cairn"}
driver="$here/bin/Release/net10.0/scale-bench"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
part=${PART:-all}
stores=${STORES:-sqlite postgres}
connection=${CONNECTION:-${CAIRN_TEST_POSTGRES:-}}

say() { printf '%s\n' "$*" >&2; }
machine() {
    printf 'machine: %s cores, %s, %s GiB RAM; load average %s\n' "$(nproc)" \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
        "$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
# The connection string with another database named.
database() { printf '%s' "$connection" | sed -E 's/(^|;)Database=[^;]*//I'; printf ';Database=%s' "$1"; }

if [[ ${SKIP_BUILD:-} != 1 || ! -x $cli || ! -x $driver ]]; then
    say "building the CLI and the driver (Release)..."
    dotnet build "$root/src/Cairn.Cli" -c Release -nologo -v quiet >/dev/null
    dotnet build "$here/Scale.csproj" -c Release -nologo -v quiet >/dev/null
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

servers=()
stop_servers() {
    for pid in "${servers[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            wait "$pid" 2>/dev/null || true
        fi
    done
    servers=()
}
trap stop_servers EXIT

# start_server DATA_DIR LOG PORT ARGS... : starts `cairn server` and waits until it answers (and has its token).
start_server() {
    local data=$1 log=$2 port=$3
    shift 3
    mkdir -p "$data"
    "$cli" server --data "$data" --urls "http://127.0.0.1:$port" "$@" >"$log" 2>&1 &
    local pid=$!
    servers+=("$pid")
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
            started=$pid
            return
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            say "the server exited; its log:"
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    say "the server did not answer in 60 s"
    exit 1
}

webhooks() {
    local store=$1 dir="$out/webhooks-$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    local urls=() pids=() count=1 store_args=()
    if [[ $store == postgres ]]; then
        count=2
        local db
        db=$(database cairn_scale_webhooks)
        "$driver" fresh-database --postgres "$db"
        store_args=(--store postgres --connection "$db")
    fi
    for i in $(seq 1 "$count"); do
        local port
        port=$(free_port)
        local extra=()
        [[ $i == 1 && $store == postgres ]] && extra=(--new-admin-token)
        if [[ $i -gt 1 ]]; then
            # Replicas share the master key, as a deployment's do: each must open the repositories' webhook secrets.
            mkdir -p "$dir/data-$i"
            cp "$dir/data-1/master.key" "$dir/data-$i/master.key"
        fi
        start_server "$dir/data-$i" "$dir/server-$i.log" "$port" --concurrency "${CONCURRENCY:-4}" "${store_args[@]}" "${extra[@]}"
        urls+=("http://127.0.0.1:$port")
        pids+=("$started")
    done
    say "webhooks ($store, $count server(s), concurrency ${CONCURRENCY:-4} each)..."
    "$driver" webhooks --servers "$(IFS=,; echo "${urls[*]}")" --pids "$(IFS=,; echo "${pids[*]}")" --data "$dir/data-1" \
        --runs "${RUNS:-100}" --jobs "${JOBS:-10}" --repos "${REPOS:-10}" --within-ms "${WITHIN_MS:-1000}" --step "${STEP:-true}" \
        --warm-up "${WARMUP:-30}" --out "$dir/driver"
    stop_servers
    machine
}

pages() {
    local store=$1 runs=${SEED_RUNS:-100000} lines=${LINES:-10000000}
    local seed="$out/seed-$store-$runs-$lines" store_args=() target=()
    if [[ $store == postgres ]]; then
        local db
        db=$(database "cairn_scale_seed_${runs}_${lines}")
        target=(--postgres "$db")
        store_args=(--store postgres --connection "$db" --new-admin-token)
    else
        target=(--sqlite "$seed/cairn.db")
    fi
    if [[ ${RESEED:-} == 1 || ! -s $seed/seed.json ]]; then
        rm -rf "$seed"
        mkdir -p "$seed"
        [[ $store == postgres ]] && "$driver" fresh-database "${target[@]}"
        say "seeding $runs runs and $lines log lines ($store, kept in ${seed#"$root"/})..."
        "$driver" seed "${target[@]}" --seed-file "$seed/seed.json" --runs "$runs" --lines "$lines"
    else
        say "reusing the seed in ${seed#"$root"/} (RESEED=1 to make it again)"
    fi
    local port
    port=$(free_port)
    start_server "$seed" "$out/pages-$store.log" "$port" --concurrency 0 "${store_args[@]}"
    say "pages ($store)..."
    "$driver" pages --server "http://127.0.0.1:$port" --pid "$started" --data "$seed" "${target[@]}" --seed-file "$seed/seed.json" --requests "${REQUESTS:-200}"
    stop_servers
    machine
}

followers() {
    local dir="$out/followers"
    rm -rf "$dir"
    mkdir -p "$dir"
    local port
    port=$(free_port)
    start_server "$dir/data" "$dir/server.log" "$port" --concurrency 1
    say "followers (SQLite; ulimit -n $(ulimit -n))..."
    "$driver" followers --server "http://127.0.0.1:$port" --data "$dir/data" --pid "$started" --followers "${FOLLOWERS:-1000}" \
        --lines "${FOLLOW_LINES:-400}" --interval-ms "${INTERVAL_MS:-50}" --out "$dir/driver"
    stop_servers
    machine
}

mkdir -p "$out"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ $part == all || $part == webhooks ]]; then
    for store in $stores; do webhooks "$store"; done
fi
if [[ $part == all || $part == pages ]]; then
    for store in $stores; do pages "$store"; done
fi
if [[ $part == all || $part == followers ]]; then
    followers
fi
printf '%s, git %s\n' "$(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /')" "$(git --version | cut -d' ' -f3)"

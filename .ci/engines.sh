#!/usr/bin/env bash
# Installs and starts the real engines the gated tests use, and prints the variables that point at them
# (`eval "$(bash .ci/engines.sh)"`). Everything it starts lives under /tmp/cairn-engines and on loopback.
# Progress goes to stderr; stdout carries only `export …` lines.
set -euo pipefail

state=/tmp/cairn-engines
mkdir -p "$state"
say() { printf '%s\n' "$*" >&2; }

need=()
for p in postgresql podman runc busybox-static uidmap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

# --- PostgreSQL on 127.0.0.1:55432, trust auth, owned by the postgres user.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_data="$state/pg"
if ! su postgres -c "$pg_bin/pg_ctl -D $pg_data status" >/dev/null 2>&1; then
  rm -rf "$pg_data"
  mkdir -p "$pg_data"
  chown postgres "$pg_data"
  su postgres -c "$pg_bin/initdb -D $pg_data -A trust -U cairn" >/dev/null
  su postgres -c "$pg_bin/pg_ctl -D $pg_data -o '-p 55432 -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' -l $pg_data/log -w start" < /dev/null > /dev/null
  say "postgresql started on 127.0.0.1:55432"
fi

# --- Podman serving the Docker Engine API on a unix socket.
mkdir -p /etc/containers
if [ ! -f /etc/containers/containers.conf ] || ! grep -q cairn /etc/containers/containers.conf; then
  cat > /etc/containers/containers.conf <<'CONF'
# written by cairn's .ci/engines.sh: this VM cannot raise rlimits and crun refuses its cgroup layout
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
CONF
fi
socket=/run/cairn-podman.sock
if ! curl -s --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  rm -f "$socket"
  # From /, so that the service (and every conmon it starts) never sits in a directory someone may delete.
  # Every descriptor of the detached process points away from our stdout: whoever captures this script's
  # output with $(…) waits for the last writer to close it, and a service never does.
  (cd / && exec setsid podman system service --time=0 "unix://$socket") < /dev/null > "$state/podman.log" 2>&1 &
  for _ in $(seq 1 100); do
    curl -s --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  say "podman serving the Docker API on $socket"
fi

# --- A tiny image from Debian's static busybox: no registry is reachable here.
image=localhost/cairn-test/busybox:1
if ! podman image exists "$image"; then
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/workspace" "$root/etc"
  cp /bin/busybox "$root/bin/"
  for a in sh echo cat ls env sleep true false mkdir rm cp printf test seq head tail wc id uname date grep sed nc wget ps kill; do
    ln -s busybox "$root/bin/$a"
  done
  printf 'NAME="cairn test busybox"\nID=cairn-busybox\n' > "$root/etc/os-release"
  tar -C "$root" -c . | podman import --change 'ENV PATH=/bin' - "$image" >/dev/null
  rm -rf "$root"
  say "imported $image"
fi

echo "export CAIRN_TEST_POSTGRES='Host=127.0.0.1;Port=55432;Username=cairn;Database=postgres'"
echo "export CAIRN_TEST_DOCKER_HOST='unix://$socket'"
echo "export CAIRN_TEST_IMAGE='$image'"

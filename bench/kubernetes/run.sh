#!/usr/bin/env bash
# The kubernetes executor's own overhead around a pod, against the stand-in Kubernetes API on loopback (no cluster):
# "pod Running" to the first step's first line, and the last step's end to the job's outcome, beside a bare log follower.
# Usage: bash bench/kubernetes/run.sh [--samples 30]. Environment: SKIP_BUILD=1 (reuse the last build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [[ ${SKIP_BUILD:-} != 1 ]]; then
    echo "building the driver (Release)..." >&2
    dotnet build "$here/Kubernetes.csproj" -c Release -nologo -v quiet >/dev/null
fi

dotnet run -c Release --no-build --project "$here/Kubernetes.csproj" -- "$@"

printf '\nmachine: %s cores, %s; load average %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(cut -d' ' -f1-3 /proc/loadavg)"

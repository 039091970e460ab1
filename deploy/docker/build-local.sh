#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile with Podman where no image registry is reachable.
#
#   sudo deploy/docker/build-local.sh [TAG]        (default TAG: localhost/cairn:dev)
#
# It makes, once each (kept in Podman's image store, so a second build skips them):
#   localhost/cairn-base/debian:12   a Debian 12 root made with debootstrap --variant=minbase, imported;
#   localhost/cairn-sdk/dotnet:10    that base plus this machine's own .NET 10 SDK (the one `dotnet` runs).
# then builds the Dockerfile with SDK_IMAGE and BASE_IMAGE pointing at them. NuGet packages come from this
# machine's package folder (~/.nuget/packages, or NUGET_PACKAGES), mounted read-only into the build; the build
# has no network, so first this machine restores src/Cairn.Cli for linux-x64 from its own NuGet sources, which
# puts every package the build needs there (the runtime packs included). The runtime stage's packages (git, ca-certificates, libssl3, tini) are put
# into the Debian root by debootstrap, so apt-get is not run during the build either.
#
# Needs: root, podman, debootstrap (Debian's packages), a Debian mirror for debootstrap (its default, or
# DEBIAN_MIRROR), and dotnet 10 on PATH.
set -euo pipefail

tag="${1:-localhost/cairn:dev}"
base_image="localhost/cairn-base/debian:12"
sdk_image="localhost/cairn-sdk/dotnet:10"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

say() { printf 'build-local: %s\n' "$*" >&2; }
die() { printf 'build-local: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: debootstrap and rootful podman need it"
command -v podman >/dev/null || die "podman is missing (apt-get install podman)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
command -v dotnet >/dev/null || die "dotnet is missing: the SDK image is made from this machine's .NET 10 SDK"

started=$SECONDS
cd "$repo"

say "dotnet restore src/Cairn.Cli for linux-x64 on this machine, into $packages"
dotnet restore src/Cairn.Cli/Cairn.Cli.csproj -r linux-x64 --packages "$packages" -v q -nologo >&2 \
    || die "the restore failed: the build takes its packages from $packages, and this machine could not fill it"

if podman image exists "$base_image"; then
    say "base $base_image exists: kept"
else
    root="$(mktemp -d /var/tmp/cairn-debian.XXXXXX)"
    trap 'rm -rf "$root"' EXIT
    say "debootstrap --variant=minbase bookworm $root (about half a minute)"
    debootstrap --variant=minbase --include=git,ca-certificates,libssl3,tini bookworm "$root" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    say "importing it as $base_image"
    tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
    rm -rf "$root"
    trap - EXIT
fi

if podman image exists "$sdk_image"; then
    say "SDK image $sdk_image exists: kept"
else
    dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    say "making $sdk_image: $base_image plus the .NET SDK in $dotnet_root ($(dotnet --version))"
    container="$(podman create "$base_image" true)"
    trap 'podman rm -f "$container" >/dev/null 2>&1 || true' EXIT
    podman cp "$dotnet_root" "$container:/usr/share/dotnet"
    podman commit -q \
        --change 'ENV DOTNET_ROOT=/usr/share/dotnet' \
        --change 'ENV PATH=/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' \
        --change 'ENV DOTNET_NOLOGO=1' \
        --change 'ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1' \
        --change 'ENV NUGET_PACKAGES=/nuget/packages' \
        "$container" "$sdk_image" >/dev/null
    podman rm -f "$container" >/dev/null
    trap - EXIT
fi

say "podman build -t $tag -f deploy/docker/Dockerfile (SDK_IMAGE=$sdk_image, BASE_IMAGE=$base_image, packages from $packages, read-only, no network)"
podman build \
    --network none \
    --volume "$packages:/nuget/packages:ro" \
    --build-arg SDK_IMAGE="$sdk_image" \
    --build-arg BASE_IMAGE="$base_image" \
    --build-arg NUGET_AUDIT=false \
    --build-arg VERSION="${CAIRN_VERSION:-0.0.0-dev}" \
    -t "$tag" -f deploy/docker/Dockerfile .

say "built $tag in $((SECONDS - started))s"

#!/usr/bin/env bash
# Installs every Debian 12 package ebpfc needs to build, test and run.
# Idempotent: installs only what is missing; runs `apt-get update` once.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  llvm-19-dev libclang-19-dev libclang-cpp19-dev clang-19 libclang-common-19-dev
  antlr4 libantlr4-runtime-dev
  libfmt-dev libgtest-dev nlohmann-json3-dev
  libbpf-dev libelf-dev zlib1g-dev libzstd-dev libpcap-dev
  bpftool iproute2 gcc-bpf
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
stamp=/var/lib/apt/periodic/ebpfc-update-stamp
if [ ! -e "$stamp" ]; then
  $SUDO apt-get update
  $SUDO mkdir -p "$(dirname "$stamp")" && $SUDO touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"

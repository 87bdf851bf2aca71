#!/usr/bin/env bash
# Installs the benchmark-only, optional dependency of `ebpfvm bench`: DPDK's
# librte_bpf (interpreter and JIT) and its development files, Debian 12
# packages librte-bpf23 and libdpdk-dev (DPDK 22.11). Re-run cmake after
# installing: DPDK is detected at configure time (pkg-config libdpdk), and
# without it the benchmark's DPDK columns say "not installed".
# Idempotent: installs only what is missing.
set -euo pipefail

packages=(librte-bpf23 libdpdk-dev pkg-config)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-bench-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-bench-deps: installing ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"

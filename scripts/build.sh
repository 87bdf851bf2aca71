#!/usr/bin/env bash
# Configures (once) and builds ebpfc in Release into build/ (or $EBPFC_BUILD_DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EBPFC_BUILD_DIR:-$root/build}"
jobs="${EBPFC_JOBS:-$(nproc)}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" -j "$jobs"

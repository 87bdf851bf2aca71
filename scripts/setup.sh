#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds
# ebpfc in Release, compiles a bundled example and shows what it produced.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EBPFC_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

example="$root/examples/c/xdp_port_filter.c"
out="$build/quickstart"
mkdir -p "$out"
echo
echo "== ebpfc -O2 -g $(realpath --relative-to="$root" "$example") -o $out/xdp_port_filter.o"
"$build/tools/ebpfc/ebpfc" -O2 -g "$example" -o "$out/xdp_port_filter.o"
echo
echo "== what it produced (sections of the ELF object)"
"/usr/lib/llvm-19/bin/llvm-readelf" --sections --wide "$out/xdp_port_filter.o" |
  awk '/^  \[/ && $2 !~ /^\.(debug|rel\.debug)/ {print}'
echo
echo "== programs and maps, as the kernel's loader sees them"
if [ -x "$build/tools/ebpfvm/ebpfvm" ] && "$build/tools/ebpfvm/ebpfvm" --help 2>/dev/null | grep -q '^ *disasm'; then
  "$build/tools/ebpfvm/ebpfvm" disasm "$out/xdp_port_filter.o" | head -40
else
  "/usr/lib/llvm-19/bin/llvm-objdump" -d --no-show-raw-insn "$out/xdp_port_filter.o" | head -40
fi

#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: installs what is missing, builds
# ebpfc in Release, compiles a bundled example, shows what it produced and
# runs it on its bundled packets (the interpreter, the JIT and, where bpf()
# works, the kernel, side by side).
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
# The listings below are cut with head, which may close a pipe early.
set +o pipefail
echo "== programs and maps, as the kernel's loader sees them"
"$build/tools/ebpfvm/ebpfvm" disasm "$out/xdp_port_filter.o" | head -40
echo
echo "== run on the bundled packets (examples/c/xdp_port_filter.pcap)"
"$build/tools/ebpfvm/ebpfvm" run "$out/xdp_port_filter.o" --pcap "$root/examples/c/xdp_port_filter.pcap" \
  --no-progress | head -20
echo
echo "== its golden suite on every engine (ebpfvm test)"
"$build/tools/ebpfvm/ebpfvm" test "$root/examples/c/xdp_port_filter.suite.json" "$root/examples/p4/lpm_filter.stf" \
  --engine=all --no-progress

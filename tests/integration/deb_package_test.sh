#!/bin/bash
# cpack -G DEB: the package holds the tools, the P4 architecture files and
# the CMake package under /usr; its dependencies name every shared library
# the tools link (from dpkg-shlibdeps) plus clang's resource headers and the
# kernel headers; its unpacked tools compile C and P4; and apt can resolve
# it on this system (apt-get install --simulate).
# usage: deb_package_test.sh CPACK BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cpack=$1 build=$2 source=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
cd "$work"

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

start=$SECONDS
"$cpack" -G DEB -B "$work" --config "$build/CPackConfig.cmake" > cpack.log 2>&1 || { cat cpack.log; exit 1; }
debs=(ebpfc_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || { echo "FAIL: expected one ebpfc_*.deb, found: ${debs[*]}"; exit 1; }
deb=$work/${debs[0]}
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1) ($((SECONDS - start)) s)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
for package in libllvm19 libclang-cpp19 libclang-common-19-dev libbpf1 libpcap0.8 libantlr4-runtime4.9 \
	libfmt9 libstdc++6 libc6 linux-libc-dev; do
	[[ ", $depends," == *", $package"[\ ,]* ]] || fail "Depends lacks $package"
done

dpkg-deb -c "$deb" | awk '{ print $6 }' > contents.txt
for file in ./usr/bin/ebpfc ./usr/bin/ebpfvm ./usr/share/ebpfc/p4include/core.p4 \
	./usr/share/ebpfc/p4include/ebpf_model.p4 ./usr/share/ebpfc/p4include/xdp_model.p4 \
	./usr/lib/cmake/ebpfc/ebpfcConfig.cmake ./usr/lib/cmake/ebpfc/ebpfcTargets.cmake \
	./usr/lib/cmake/ebpfc/EbpfcAddObject.cmake ./usr/share/doc/ebpfc/build-integration.md; do
	grep -qx "$file" contents.txt || fail "the package lacks $file"
done

# The unpacked tools work where they are (RUNPATH-free: the libraries come
# from the system's library path, as they will once installed).
dpkg-deb -x "$deb" root
readelf -d root/usr/bin/ebpfc | grep -q RUNPATH && fail "ebpfc has a RUNPATH"
root/usr/bin/ebpfc --version | head -1
root/usr/bin/ebpfc -O2 -c "$source/examples/c/xdp_port_filter.c" -o port_filter.o || fail "unpacked ebpfc compiling C"
root/usr/bin/ebpfc -O2 -MD -c "$source/examples/p4/ethertype_filter.p4" -o ethertype_filter.o ||
	fail "unpacked ebpfc compiling P4"
grep -q "$work/root/usr/share/ebpfc/p4include/core.p4" ethertype_filter.d ||
	fail "the unpacked ebpfc did not use its own p4include: $(cat ethertype_filter.d)"
root/usr/bin/ebpfvm disasm port_filter.o > /dev/null || fail "unpacked ebpfvm"

# Every dependency is a package apt knows in a version it can install.
if apt-get install --simulate "$deb" > simulate.log 2>&1; then
	grep -E '^Inst ebpfc ' simulate.log || fail "apt-get --simulate did not install ebpfc: $(cat simulate.log)"
else
	fail "apt-get install --simulate: $(tail -5 simulate.log)"
fi

if [[ $failures -ne 0 ]]; then
	echo "$failures failed"
	exit 1
fi
echo "deb package: OK"

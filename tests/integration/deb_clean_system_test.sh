#!/bin/bash
# The .deb on a clean Debian 12: a minimal bookworm made with debootstrap
# (cached as a tarball; every run unpacks a fresh copy), `apt-get install
# ./ebpfc_*.deb` inside it, then the installed ebpfc compiles C and P4
# examples and ebpfvm runs one's golden suite.
# Opt-in (it downloads ~150 MB and takes minutes): EBPFC_TEST_DEB_CLEAN_SYSTEM=1.
# The chroot cache lives in $EBPFC_TEST_CACHE_DIR (default ~/.cache/ebpfc-tests).
# usage: deb_clean_system_test.sh CPACK BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cpack=$1 build=$2 source=$3 work=$4
skip() {
	echo "SKIPPED: $*"
	exit 77
}
[[ ${EBPFC_TEST_DEB_CLEAN_SYSTEM:-} == 1 ]] ||
	skip "installs the .deb into a fresh Debian 12 chroot (minutes, network); set EBPFC_TEST_DEB_CLEAN_SYSTEM=1 to run it"
[[ $(id -u) == 0 ]] || skip "chroot needs root"
command -v debootstrap > /dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
command -v unshare > /dev/null || skip "unshare (util-linux) is not installed"

cache=${EBPFC_TEST_CACHE_DIR:-$HOME/.cache/ebpfc-tests}
base=$cache/bookworm-minbase.tar
mirror=${EBPFC_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$cache"
if [[ ! -f $base ]]; then
	start=$SECONDS
	rm -rf "$cache/bootstrap"
	debootstrap --variant=minbase bookworm "$cache/bootstrap" "$mirror" > "$cache/debootstrap.log" 2>&1 ||
		{ tail -20 "$cache/debootstrap.log"; exit 1; }
	rm -rf "$cache/bootstrap/var/cache/apt/archives/"*.deb
	tar -C "$cache/bootstrap" -cf "$base.partial" .
	mv "$base.partial" "$base"
	rm -rf "$cache/bootstrap"
	echo "debootstrap: $((SECONDS - start)) s (cached in $base)"
fi

rm -rf "$work"
mkdir -p "$work/root"
start=$SECONDS
"$cpack" -G DEB -B "$work/package" --config "$build/CPackConfig.cmake" > "$work/cpack.log" 2>&1 ||
	{ cat "$work/cpack.log"; exit 1; }
tar -C "$work/root" -xf "$base"
cp "$work"/package/ebpfc_*.deb "$work/root/tmp/"
cp "$source/examples/c/xdp_port_filter.c" "$source/examples/c/xdp_port_filter.suite.json" \
	"$source/examples/c/xdp_port_filter.pcap" \
	"$source/examples/p4/ethertype_filter.p4" "$source/examples/p4/headers.p4" "$work/root/tmp/"
cp /etc/resolv.conf "$work/root/etc/resolv.conf"

# Inside a mount namespace of its own, so /proc and /dev go when it ends.
cat > "$work/root/tmp/inside.sh" <<'INSIDE'
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q > /tmp/apt-update.log
apt-get install -y -q /tmp/ebpfc_*.deb > /tmp/apt-install.log 2>&1 || { tail -30 /tmp/apt-install.log; exit 1; }
grep -E '^(Setting up ebpfc|[0-9]+ upgraded)' /tmp/apt-install.log
cd /tmp
ebpfc --version | head -1
ebpfc -O2 -c xdp_port_filter.c -o xdp_port_filter.o
ebpfc -O2 -c ethertype_filter.p4 -o ethertype_filter.o
ebpfvm disasm xdp_port_filter.o | head -3
ebpfvm disasm ethertype_filter.o | head -1
ebpfvm test xdp_port_filter.suite.json --no-progress --no-color
test -f /usr/lib/cmake/ebpfc/ebpfcConfig.cmake
echo "clean system: OK"
INSIDE
unshare --mount --fork sh -c "
	mount -t proc proc '$work/root/proc' &&
	mount --rbind /dev '$work/root/dev' &&
	mount -t sysfs sysfs '$work/root/sys' &&
	chroot '$work/root' sh /tmp/inside.sh"
echo "install and compile on a clean Debian 12: $((SECONDS - start)) s"

#!/bin/bash
# Installs ebpfc into a temporary prefix, moves the prefix (the package must
# be relocatable), checks that the installed ebpfc compiles C and P4 with
# the installed files, then builds a copy of examples/cmake-consumer against
# it with Ninja and with Unix Makefiles: its CTest tests (golden suites, the
# skeleton loader) pass, a second build does nothing, and touching a header
# rebuilds exactly the object that includes it.
# usage: cmake_consumer_test.sh CMAKE CTEST BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cmake=$1 ctest=$2 build=$3 source=$4 work=$5
rm -rf "$work"
mkdir -p "$work"
cd "$work"

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

"$cmake" --install "$build" --prefix "$work/staging" > install.log
mv "$work/staging" "$work/prefix"
prefix=$work/prefix
for file in bin/ebpfc bin/ebpfvm share/ebpfc/p4include/core.p4 share/ebpfc/p4include/ebpf_model.p4 \
	share/ebpfc/p4include/xdp_model.p4 lib/cmake/ebpfc/ebpfcConfig.cmake \
	lib/cmake/ebpfc/ebpfcConfigVersion.cmake lib/cmake/ebpfc/ebpfcTargets.cmake \
	lib/cmake/ebpfc/EbpfcAddObject.cmake; do
	[[ -e $prefix/$file ]] || fail "not installed: $file"
done
if grep -rq -e "$build" -e "$work/staging" "$prefix/lib/cmake/ebpfc"; then
	fail "the CMake package names the build tree or the install staging path"
fi

# The installed compiler, away from the source tree: clang's resource
# headers from the system, the P4 architecture files from the prefix.
# A copy, so that touching its headers leaves the source tree alone.
cp -r "$source/examples/cmake-consumer" "$work/consumer-src"
consumer=$work/consumer-src
"$prefix/bin/ebpfc" -O2 -c "$consumer/bpf/xdp_filter.c" -o direct_c.o || fail "installed ebpfc compiling C"
"$prefix/bin/ebpfc" -O2 -MD -c "$consumer/p4/ipv4_ttl_filter.p4" -o direct_p4.o || fail "installed ebpfc compiling P4"
grep -q "$prefix/share/ebpfc/p4include/core.p4" direct_p4.d ||
	fail "the installed ebpfc did not take core.p4 from the prefix: $(cat direct_p4.d)"
"$prefix/bin/ebpfvm" disasm direct_c.o > /dev/null || fail "installed ebpfvm"

# Outputs of the consumer's build, and which were written after `stamp`.
outputs() { find "$1" -maxdepth 1 -type f \( -name '*.o' -o -name '*.skel.h' -o -name loader \) -printf '%f\n' | sort; }
rebuilt_since() {
	find "$1" -maxdepth 1 -type f -newer "$1/stamp" \( -name '*.o' -o -name '*.skel.h' -o -name loader \) \
		-printf '%f\n' | sort | tr '\n' ' '
}

for generator in Ninja "Unix Makefiles"; do
	dir=$work/consumer-${generator// /-}
	echo "== $generator"
	if ! "$cmake" -S "$consumer" -B "$dir" -G "$generator" -DCMAKE_PREFIX_PATH="$prefix" > "$dir.configure.log" 2>&1; then
		cat "$dir.configure.log"
		fail "$generator: configure"
		continue
	fi
	grep -q "ebpfc 0.1.0 from $prefix/lib/cmake/ebpfc" "$dir.configure.log" ||
		fail "$generator: did not use the installed package: $(grep 'ebpfc ' "$dir.configure.log")"
	if ! "$cmake" --build "$dir" -j 2 > "$dir.build.log" 2>&1; then
		cat "$dir.build.log"
		fail "$generator: build"
		continue
	fi
	[[ $(outputs "$dir" | tr '\n' ' ') == "ipv4_ttl_filter.o loader xdp_filter.o xdp_filter.skel.h " ]] ||
		fail "$generator: outputs are $(outputs "$dir" | tr '\n' ' ')"

	# The golden suites and the loader, through CTest.
	"$ctest" --test-dir "$dir" -N > "$dir.tests.log"
	for test in loader xdp_filter_suite ipv4_ttl_filter_suite; do
		grep -q ": $test\$" "$dir.tests.log" || fail "$generator: no CTest test $test"
	done
	if ! "$ctest" --test-dir "$dir" --output-on-failure -V > "$dir.ctest.log" 2>&1; then
		cat "$dir.ctest.log"
		fail "$generator: the consumer's tests"
	fi
	grep -E 'loader: OK|SKIPPED' "$dir.ctest.log" | sed "s/^/   /" || fail "$generator: the loader said nothing"

	# Nothing to do; then exactly the dependents of a touched header.
	touch "$dir/stamp"
	sleep 1
	"$cmake" --build "$dir" > "$dir.rebuild.log" 2>&1
	[[ -z $(rebuilt_since "$dir") ]] || fail "$generator: a second build rebuilt $(rebuilt_since "$dir")"
	for change in "bpf/xdp_filter.h:loader xdp_filter.o xdp_filter.skel.h " "p4/ethernet.p4:ipv4_ttl_filter.o "; do
		header=${change%%:*} expected=${change#*:}
		sleep 1
		touch "$dir/stamp" "$consumer/$header"
		"$cmake" --build "$dir" > "$dir.rebuild.log" 2>&1 || { cat "$dir.rebuild.log"; fail "$generator: rebuild"; }
		got=$(rebuilt_since "$dir")
		[[ $got == "$expected" ]] || fail "$generator: touching $header rebuilt '$got', expected '$expected'"
	done
done

if [[ $failures -ne 0 ]]; then
	echo "$failures failed"
	exit 1
fi
echo "cmake consumer: OK"

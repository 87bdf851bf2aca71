#!/bin/bash
# The Makefile pattern of docs/build-integration.md (make/Makefile, shown
# there verbatim): make builds the objects, their skeletons and the loader;
# a second make does nothing; touching a header rebuilds exactly what
# includes it.
# usage: make_pattern_test.sh EBPFC DOC WORK_DIR
set -euo pipefail
ebpfc=$1 doc=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cp "$here"/make/* "$work"
cd "$work"

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The documented Makefile is this one: the block after the marker line.
awk '/<!-- make-pattern -->/ { found = 1; next } found && /^```make$/ { inside = 1; next }
     inside && /^```$/ { exit } inside { print }' "$doc" > documented.mk
diff -u Makefile documented.mk > /dev/null || fail "docs/build-integration.md does not show tests/integration/make/Makefile verbatim"

run_make() { make --no-print-directory EBPFC="$ebpfc" "$@"; }

# Files make wrote since `stamp` was touched, other than the changed one.
rebuilt_since() {
	find . -maxdepth 1 -type f -newer stamp ! -name stamp ! -name make.log ! -name "$1" -printf '%f\n' |
		sort | tr '\n' ' '
}

expect_rebuilt() {
	local change=$1 expected=$2
	sleep 1 # a timestamp visibly later than the outputs
	touch stamp "$change"
	run_make > make.log
	local got
	got=$(rebuilt_since "$change")
	[[ $got == "$expected" ]] || fail "after touching $change, rebuilt '$got', expected '$expected'"
}

run_make > make.log || { cat make.log; fail "make"; }
for output in counter.o counter.d counter.skel.h filter.o filter.d filter.skel.h loader; do
	[[ -f $output ]] || fail "make did not write $output"
done
grep -q 'counter.h' counter.d || fail "counter.d does not list counter.h"
./loader | grep -q 'counter: 32 bytes of counters' || fail "loader output: $(./loader 2>&1)"

run_make -q || fail "a second make would rebuild something"
expect_rebuilt counter.h "counter.d counter.o counter.skel.h loader "
expect_rebuilt filter.h "filter.d filter.o filter.skel.h "
expect_rebuilt common.h "counter.d counter.o counter.skel.h filter.d filter.o filter.skel.h loader "
run_make -q || fail "make after the rebuilds would rebuild something"

if [[ $failures -ne 0 ]]; then
	echo "$failures failed"
	exit 1
fi
echo "make pattern: OK"

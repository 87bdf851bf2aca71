#!/bin/bash
# ebpfc --skeleton on every example program (C and P4): each header compiles
# warning-free as C11 and as C++17, several headers compile together in one
# translation unit, and the option's misuses are errors that write nothing.
# usage: skeleton_headers_test.sh EBPFC CC CXX SOURCE_DIR WORK_DIR
set -euo pipefail
ebpfc=$1 cc=$2 cxx=$3 source=$4 work=$5
rm -rf "$work"
mkdir -p "$work"
cd "$work"

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

headers=()
c_headers=()
for program in "$source"/examples/c/*.c "$source"/examples/p4/*.p4; do
	name=$(basename "${program%.*}")
	# headers.p4 is included by the P4 examples, not a program.
	[[ $name == headers ]] && continue
	if ! "$ebpfc" -O2 -c "$program" -o "$name.o" --skeleton "$name.skel.h" 2> "$name.err"; then
		fail "ebpfc --skeleton $program: $(cat "$name.err")"
		continue
	fi
	printf '#include "%s.skel.h"\nint main(void) { return 0; }\n' "$name" > "$name.c"
	cp "$name.c" "$name.cpp"
	"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -I. -c "$name.c" -o "$name.c.o" || fail "$name.skel.h as C"
	"$cxx" -std=c++17 -Wall -Wextra -Werror -I. -c "$name.cpp" -o "$name.cpp.o" || fail "$name.skel.h as C++"
	headers+=("$name.skel.h")
	if [[ $program == *.c ]]; then c_headers+=("$name.skel.h"); fi
done
echo "${#headers[@]} skeletons compiled as C and C++"
[[ ${#headers[@]} -ge 20 ]] || fail "expected at least 20 example programs, found ${#headers[@]}"

# The C examples' skeletons in one translation unit: types they share are
# defined once. (P4 programs name types after their controls, and several
# examples have controls of the same name and different layouts: the
# skeletons' layout assertions reject such a mix.)
{
	for header in "${c_headers[@]}"; do
		echo "#include \"$header\""
	done
	echo 'int main(void) { return 0; }'
} > together.c
"$cc" -std=c11 -Wall -Wextra -Werror -I. -c together.c -o together.o || fail "C skeletons together in one file"

# The skeleton of an object embeds exactly that object's bytes.
grep -q 'xdp_port_filter__elf_bytes' xdp_port_filter.skel.h || fail "no xdp_port_filter__elf_bytes()"

expect_error() {
	local what=$1 message=$2
	shift 2
	rm -f misuse.o misuse.skel.h
	if "$ebpfc" "$@" 2> misuse.err; then
		fail "$what: ebpfc succeeded"
	elif ! grep -q -- "$message" misuse.err; then
		fail "$what: expected '$message', got: $(cat misuse.err)"
	fi
	[[ ! -e misuse.skel.h ]] || fail "$what: a skeleton was written"
}
program=$source/examples/c/xdp_port_filter.c
expect_error "with -S" "needs an object output" -S "$program" -o misuse.o --skeleton misuse.skel.h
expect_error "two inputs" "multiple input files" "$program" "$source/examples/c/tc_dnat.c" --skeleton misuse.skel.h
printf 'int broken(void) { return undefined_name; }\n' > broken.c
expect_error "a failing compile" "undefined_name" broken.c -o misuse.o --skeleton misuse.skel.h
expect_error "no file name" "argument to '--skeleton' is missing" "$program" --skeleton

if [[ $failures -ne 0 ]]; then
	echo "$failures failed"
	exit 1
fi
echo "skeleton headers: OK"

#!/bin/bash
# Loads every examples/c program, compiled by ebpfc and by clang-19, with the
# classic loaders, the way their header comments tell users to:
#   XDP programs: ip link set dev DEV xdpgeneric obj X.o sec SEC
#   tc programs:  tc qdisc add dev DEV clsact
#                 tc filter add dev DEV ingress bpf da obj X.o sec SEC
# on a veth pair inside a network namespace created here and always removed
# (trap). Exit status 0: all loaded; 1: a failure (printed, with whether
# clang-19's object fails the same way); 77: skipped (reason printed).
#
# usage: classic_loaders.sh EBPFC CLANG19 EXAMPLES_DIR WORK_DIR
set -u

if [ $# -ne 4 ]; then
  echo "usage: $0 EBPFC CLANG19 EXAMPLES_DIR WORK_DIR" >&2
  exit 2
fi
ebpfc=$1 clang=$2 examples=$3 work=$4
namespace="ebpfc-classic-$$"
device=veth0

cleanup() {
  ip netns del "$namespace" 2>/dev/null
}
trap cleanup EXIT

for tool in ip tc; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIPPED: $tool (iproute2) is not installed"
    exit 77
  fi
done
if ! error=$(ip netns add "$namespace" 2>&1); then
  echo "SKIPPED: cannot create a network namespace: $error"
  exit 77
fi
in_namespace() { ip netns exec "$namespace" "$@"; }
if ! error=$(in_namespace ip link add "$device" type veth peer name veth1 2>&1 &&
             in_namespace ip link set "$device" up 2>&1 &&
             in_namespace ip link set veth1 up 2>&1 &&
             in_namespace tc qdisc add dev "$device" clsact 2>&1); then
  echo "FAIL: cannot set up the veth pair with a clsact qdisc: $error"
  exit 1
fi

rm -rf "$work"
mkdir -p "$work/ebpfc" "$work/clang-19"

compile() { # compiler-label source object
  case $1 in
    ebpfc) "$ebpfc" -O2 -g -c "$2" -o "$3" ;;
    clang-19) "$clang" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$2" -o "$3" ;;
  esac
}

# Attaches OBJECT with ip or tc, checks that the program is attached, then
# detaches it. Prints the loader's output on failure.
attach_and_detach() { # kind object section
  local kind=$1 object=$2 section=$3 output
  if [ "$kind" = xdp ]; then
    output=$(in_namespace ip link set dev "$device" xdpgeneric obj "$object" sec "$section" 2>&1) || {
      echo "$output"; return 1; }
    if ! in_namespace ip -d link show dev "$device" | grep -q "xdpgeneric"; then
      echo "ip reported success but no XDP program is attached to $device"; return 1
    fi
    in_namespace ip link set dev "$device" xdpgeneric off
  else
    output=$(in_namespace tc filter add dev "$device" ingress bpf da obj "$object" sec "$section" 2>&1) || {
      echo "$output"; return 1; }
    if ! in_namespace tc filter show dev "$device" ingress | grep -q "direct-action"; then
      echo "tc reported success but no direct-action filter is attached to $device"; return 1
    fi
    in_namespace tc filter del dev "$device" ingress
  fi
}

# Examples iproute2 6.1 cannot load whichever compiler built them, with the
# reason and the message that shows it. Both objects must keep failing that
# way: an entry whose objects load is stale and fails the test.
declare -A loader_limitation=(
  [xdp_tail_call_dispatch]="iproute2 loads only the program it attaches (and tail-call targets in its legacy id/slot sections); libbpf then cannot fill the statically initialized program array with the unloaded handlers"
)
declare -A loader_limitation_message=(
  [xdp_tail_call_dispatch]="failed to initialize slot"
)

failures=0
loaded=0
known=0
for source in "$examples"/*.c; do
  name=$(basename "$source" .c)
  # The attach point the example declares; the first program of the section
  # is the one ip and tc attach.
  if grep -q 'SEC("tc")' "$source"; then
    kind=tc section=tc loader="tc filter ... bpf da"
  elif grep -q 'SEC("xdp")' "$source"; then
    kind=xdp section=xdp loader="ip link ... xdpgeneric"
  else
    echo "FAIL: $name: no SEC(\"xdp\") or SEC(\"tc\") program to attach"
    failures=$((failures + 1))
    continue
  fi
  if [ -n "${loader_limitation[$name]:-}" ]; then
    for compiler in ebpfc clang-19; do
      object="$work/$compiler/$name.o"
      if ! output=$(compile "$compiler" "$source" "$object" 2>&1); then
        echo "FAIL: $name: $compiler cannot compile it: $output"
        failures=$((failures + 1))
      elif output=$(attach_and_detach "$kind" "$object" "$section"); then
        echo "FAIL: $loader sec $section: $name ($compiler) loads now; remove its loader_limitation entry"
        failures=$((failures + 1))
      elif ! grep -q "${loader_limitation_message[$name]}" <<<"$output"; then
        echo "FAIL: $loader sec $section: $name ($compiler) fails, but not with \"${loader_limitation_message[$name]}\":"
        echo "$output" | sed 's/^/    /'
        failures=$((failures + 1))
      else
        echo "KNOWN LIMITATION: $loader sec $section: $name ($compiler): ${loader_limitation[$name]}"
        known=$((known + 1))
      fi
    done
    continue
  fi
  declare -A status=()
  for compiler in ebpfc clang-19; do
    object="$work/$compiler/$name.o"
    if ! output=$(compile "$compiler" "$source" "$object" 2>&1); then
      echo "FAIL: $name: $compiler cannot compile it: $output"
      status[$compiler]=fail
      continue
    fi
    if output=$(attach_and_detach "$kind" "$object" "$section"); then
      echo "PASS: $loader sec $section: $name ($compiler)"
      status[$compiler]=pass
      loaded=$((loaded + 1))
    else
      echo "FAIL: $loader sec $section: $name ($compiler):"
      echo "$output" | sed 's/^/    /'
      status[$compiler]=fail
    fi
  done
  if [ "${status[ebpfc]}" = fail ]; then
    failures=$((failures + 1))
    if [ "${status[clang-19]}" = fail ]; then
      echo "  -> clang-19's object fails too: a loader limitation, not an ebpfc bug"
    else
      echo "  -> only ebpfc's object fails: an ebpfc bug"
    fi
  elif [ "${status[clang-19]}" = fail ]; then
    failures=$((failures + 1))
    echo "  -> only clang-19's object fails"
  fi
  unset status
done

echo "$loaded objects attached and detached, $known refused as known loader limitations, $failures failure(s)"
[ "$failures" -eq 0 ]

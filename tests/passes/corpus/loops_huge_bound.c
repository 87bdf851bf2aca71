// A bounded loop the verifier would have to walk more than a million
// instructions through: a warning, not an error (a bound taken from frozen
// .rodata would be invisible here but known to the verifier).
// NO-LOAD: the verifier rejects the loop, as the warning says
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int mix(struct xdp_md *ctx) {
  __u32 h = ctx->ingress_ifindex;
  for (int i = 0; i < 300000; i++)
    h = h * 31 + (h >> 7);
  return h & 1;
}

char _license[] SEC("license") = "GPL";

// WARNING: 10:3: loop may run 300000 times; at about 6 instructions per iteration the verifier would exceed its limit of 1000000 instructions
// NOTE: bound the loop by a smaller constant, e.g. 'i < n && i < 256' (unless the bound is a constant the loader freezes in .rodata, which the verifier sees)

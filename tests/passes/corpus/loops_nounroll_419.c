// '#pragma nounroll' asks for a loop a kernel before 5.3 cannot take.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int hash(struct xdp_md *ctx) {
  __u32 h = ctx->ingress_ifindex;
#pragma nounroll
  for (int i = 0; i < 4; i++)
    h = h * 31 + 7;
  return h & 1;
}

char _license[] SEC("license") = "GPL";

// ERROR: 9:3: loop is marked '#pragma nounroll', but kernel 4.19 accepts no loops
// NOTE: programs for kernels before 5.3 cannot contain loops, so ebpfc unrolls every loop
// NOTE: remove the pragma, or pass --target-kernel=5.3 or later to keep the loop

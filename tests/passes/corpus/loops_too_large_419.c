// Fully unrolled, this loop would not fit kernel 4.19's 4096 instructions.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int mix(struct xdp_md *ctx) {
  __u32 h = ctx->ingress_ifindex;
  for (int i = 0; i < 3000; i++)
    h = h * 31 + (h >> 7);
  return h & 1;
}

char _license[] SEC("license") = "GPL";

// ERROR: 8:3: loop cannot be unrolled: 3000 iterations of about 6 instructions exceed the 4096-instruction limit of kernel 4.19
// NOTE: programs for kernels before 5.3 cannot contain loops, so ebpfc unrolls every loop
// NOTE: lower the bound or move work out of the loop, or pass --target-kernel=5.3 or later to keep it as a bounded loop

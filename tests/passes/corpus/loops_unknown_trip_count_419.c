// A loop over the packet with no constant bound cannot be unrolled.
// FLAGS: --target-kernel=4.19
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int walk(struct xdp_md *ctx) {
  __u32 state = ctx->ingress_ifindex;
  for (;;) {
    state = state * 1103515245 + 12345;
    if (((state >> 16) & 0xff) == 0)
      break;
  }
  return state & 1;
}

char _license[] SEC("license") = "GPL";

// ERROR: 8:3: loop cannot be unrolled: its trip count is not a compile-time constant
// NOTE: programs for kernels before 5.3 cannot contain loops, so ebpfc unrolls every loop
// NOTE: bound the loop by a constant, e.g. 'i < n && i < 64', or pass --target-kernel=5.3 or later to keep it as a bounded loop

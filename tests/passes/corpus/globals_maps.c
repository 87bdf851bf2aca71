// --globals=maps: .bss, .data and .rodata become one-entry maps; loads and
// runs with any loader.
// FLAGS: --globals=maps
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets;
__u32 threshold = 100;
const __u8 weights[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static __attribute__((noinline)) int over_threshold(__u32 len) { return len > threshold; }

SEC("xdp") int count(struct xdp_md *ctx) {
  __u32 len = ctx->data_end - ctx->data;
  packets++;
  threshold += weights[len & 7];
  return over_threshold(len) ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";

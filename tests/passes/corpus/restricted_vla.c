// A variable-length array: a BPF stack frame has a fixed size.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int copy_header(struct xdp_md *ctx) {
  __u32 len = (ctx->rx_queue_index & 31) + 1;
  __u8 header[len];
  header[0] = 1;
  return header[0];
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:8: variable-length array 'header' cannot be compiled to eBPF
// NOTE: a BPF stack frame has a fixed size; give the array its maximum size as a constant and bound the index

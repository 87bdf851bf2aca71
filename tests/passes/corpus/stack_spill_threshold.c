// --spill-locals=1024 leaves the 600-byte buffer on the stack: still too
// large, and the note says why.
// FLAGS: --spill-locals=1024
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int keep_on_stack(struct xdp_md *ctx) {
  volatile __u8 buffer[600];
  buffer[ctx->rx_queue_index % 600] = 1;
  return buffer[7];
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:16: stack frame of program 'keep_on_stack' is 600 bytes, more than the limit of 512 bytes
// NOTE: 'buffer' is 600 bytes
// NOTE: --spill-locals=1024 leaves smaller locals on the stack; lower the threshold, or make the locals smaller

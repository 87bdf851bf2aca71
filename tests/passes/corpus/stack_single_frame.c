// One frame over the 512-byte stack: the error names the program, the
// frame size and its largest locals (LLVM's own "stack limit exceeded"
// message is not shown).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_record {
  __u64 bytes[8];
};

SEC("xdp") int record_flows(struct xdp_md *ctx) {
  __u8 payload[512];
  struct flow_record records[2];
  __u32 index = ctx->rx_queue_index;
  __builtin_memset(payload, 0, sizeof(payload));
  __builtin_memset(records, 0, sizeof(records));
  payload[index % 512] = 1;
  records[index & 1].bytes[index & 7] = payload[(index * 3) % 512];
  return records[1].bytes[2] ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";

// ERROR: 11:16: stack frame of program 'record_flows' is 640 bytes, more than the limit of 512 bytes
// NOTE: 'payload' is 512 bytes
// NOTE: 'records' is 128 bytes
// NOTE: make large locals smaller, move them into a BPF_MAP_TYPE_PERCPU_ARRAY map, or compile with --spill-locals to have ebpfc move locals of 64 bytes or more into one

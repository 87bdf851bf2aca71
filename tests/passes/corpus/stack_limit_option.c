// --stack-limit=256 (e.g. for programs that tail-call): a 300-byte frame is
// too large.
// FLAGS: --stack-limit=256
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc") int under_budget(struct __sk_buff *skb) {
  volatile __u8 window[300];
  window[skb->len & 255] = 1;
  return window[3];
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:15: stack frame of program 'under_budget' is 304 bytes, more than the limit of 256 bytes
// NOTE: 'window' is 300 bytes
// NOTE: make large locals smaller, move them into a BPF_MAP_TYPE_PERCPU_ARRAY map, or compile with --spill-locals to have ebpfc move locals of 64 bytes or more into one

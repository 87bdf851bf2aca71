// bpf_skb_store_bytes is for socket-buffer programs, not XDP.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int rewrite(struct xdp_md *ctx) {
  __u8 byte = 0;
  bpf_skb_store_bytes((void *)ctx, 0, &byte, 1, 0);
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:3: helper 'bpf_skb_store_bytes' is not available to program 'rewrite' of type xdp
// NOTE: program types that may call bpf_skb_store_bytes (since Linux 4.1): sched_cls, sched_act, lwt_xmit, sk_skb; call it from such a program, or use a helper xdp programs have

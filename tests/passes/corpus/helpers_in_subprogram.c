// A helper called in a BPF-to-BPF subprogram counts for every program that
// calls it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int mark_packet(void *ctx) {
  return bpf_skb_change_type(ctx, 0);
}

SEC("xdp") int xdp_entry(struct xdp_md *ctx) {
  return mark_packet(ctx) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";

// ERROR: 7:10: helper 'bpf_skb_change_type' is not available to program 'xdp_entry' of type xdp
// NOTE: 'mark_packet' is called by program 'xdp_entry'
// NOTE: program types that may call bpf_skb_change_type (since Linux 4.8): sched_cls, sched_act; call it from such a program, or use a helper xdp programs have

// Several programs per section, .text subprograms called from several
// programs (static and global, nested), and a callback passed to a helper.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

static __attribute__((noinline)) int leaf(int x) { return x * 3 + 1; }

static __attribute__((noinline)) int middle(int x) { return leaf(x) + leaf(x + 1); }

__attribute__((noinline)) int shared_helper(int x) { return middle(x) & 1; }

static long count_element(void *map, __u32 *key, __u64 *value, void *ctx) {
  *value += 1;
  return 0;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx) {
  return shared_helper(ctx->ingress_ifindex) ? XDP_PASS : XDP_DROP; // FIRST_LINE
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx) {
  bpf_for_each_map_elem(&counters, count_element, 0, 0);
  return XDP_PASS;
}

SEC("tc")
int tc_main(struct __sk_buff *skb) {
  return leaf(skb->len) > 100 ? 0 : 2;
}

char LICENSE[] SEC("license") = "GPL";

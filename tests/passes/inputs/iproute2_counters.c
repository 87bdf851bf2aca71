// Counts packets at XDP and at tc ingress into maps pinned by name, for the
// test that loads --map-format=iproute2 objects with iproute2's own loader.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} ebpfc_xdp_seen SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} ebpfc_tc_seen SEC(".maps");

SEC("xdp") int count_xdp(struct xdp_md *ctx) {
  __u32 key = 0;
  __u64 one = 1;
  __u64 *value = bpf_map_lookup_elem(&ebpfc_xdp_seen, &key);
  if (value)
    __sync_fetch_and_add(value, 1);
  else
    bpf_map_update_elem(&ebpfc_xdp_seen, &key, &one, BPF_NOEXIST);
  return XDP_PASS;
}

SEC("tc") int count_tc(struct __sk_buff *skb) {
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&ebpfc_tc_seen, &key);
  if (value)
    __sync_fetch_and_add(value, 1);
  bpf_printk("tc saw %u bytes", skb->len);
  return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";

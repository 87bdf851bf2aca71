// Exercises the C features the foundation promises: several programs in one
// file, non-inlined BPF-to-BPF calls, constant-size builtins, atomics, global
// data in all three sections, and BTF-defined maps.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
  __u32 saddr;
  __u32 daddr;
  __u16 sport;
  __u16 dport;
};

struct lpm_v4 {
  __u32 prefixlen;
  __u32 addr;
};

struct inner_counts {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} inner0 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 2);
  __type(key, __u32);
  __array(values, struct inner_counts);
} outer SEC(".maps") = {
    .values = {[0] = &inner0},
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct flow_key);
  __type(value, __u64);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 64);
  __type(key, struct lpm_v4);
  __type(value, __u32);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 4);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_DEVMAP);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u32);
  __uint(pinning, LIBBPF_PIN_NONE);
} ports SEC(".maps");

const volatile __u32 drop_port = 9;  // .rodata
__u64 packets_seen = 0;               // .bss
__u32 verdict_on_error = XDP_PASS;    // .data

static __attribute__((noinline)) int classify(struct flow_key *key) {
  __u64 *count = bpf_map_lookup_elem(&flows, key);
  if (count) {
    __sync_fetch_and_add(count, 1);
    return 1;
  }
  __u64 one = 1;
  bpf_map_update_elem(&flows, key, &one, BPF_NOEXIST);
  return 0;
}

SEC("xdp")
int xdp_features(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end)
    return verdict_on_error;
  __sync_fetch_and_add(&packets_seen, 1);
  struct flow_key key;
  __builtin_memset(&key, 0, sizeof(key));
  __builtin_memcpy(&key.saddr, eth->h_source, sizeof(key.saddr));
  if (__builtin_memcmp(eth->h_dest, eth->h_source, 4) == 0)
    return XDP_DROP;
  key.dport = bpf_ntohs(eth->h_proto);
  if (key.dport == drop_port)
    return XDP_DROP;
  __u32 index = 0;
  __u64 *stat = bpf_map_lookup_elem(&stats, &index);
  if (stat)
    *stat += 1;
  return classify(&key) ? XDP_PASS : XDP_TX;
}

SEC("tc")
int tc_features(struct __sk_buff *skb) {
  struct flow_key key = {.saddr = skb->remote_ip4, .dport = (__u16)skb->protocol};
  skb->mark = classify(&key) ? 7 : 8;
  bpf_tail_call(skb, &jumps, 0);
  return 0;
}

char _license[] SEC("license") = "GPL";

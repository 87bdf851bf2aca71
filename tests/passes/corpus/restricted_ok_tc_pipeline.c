// Realistic tc program in the style of large public datapaths: a memcpy
// wrapper that dispatches on __builtin_constant_p, a static copy helper
// whose size is a parameter (constant where it is inlined), memcmp of IPv6
// addresses, bpf_skb_load_bytes into a stack buffer, a bpf_loop callback,
// and tail calls through a program array. Must compile without
// restricted-C diagnostics and load.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct ip6 {
  __be32 flow;
  __be16 payload_len;
  __u8 next_header;
  __u8 hop_limit;
  struct in6_addr saddr;
  struct in6_addr daddr;
};

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 2);
  __uint(key_size, sizeof(__u32));
  __uint(value_size, sizeof(__u32));
} stages SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, struct in6_addr);
  __type(value, __u32);
} blocked SEC(".maps");

static const struct in6_addr router = {.in6_u.u6_addr8 = {0xfe, 0x80, [15] = 1}};

// Constant sizes take the builtin; anything else would be a build error in
// the projects this mimics, so only constants reach it.
#define copy_bytes(dst, src, len)                                                                  \
  (__builtin_constant_p(len) ? __builtin_memcpy(dst, src, len) : (void *)0)

static int copy_prefix(void *dst, const void *src, __u32 len) {
  __builtin_memcpy(dst, src, len);
  return len;
}

struct sum_state {
  __u8 *bytes;
  __u32 total;
};

static long add_byte(__u32 index, void *data) {
  struct sum_state *state = data;
  if (index >= 32)
    return 1;
  state->total += index;
  return 0;
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb) {
  struct ip6 hdr;
  if (bpf_skb_load_bytes(skb, ETH_HLEN, &hdr, sizeof(hdr)) < 0)
    return TC_ACT_OK;
  if (__builtin_memcmp(&hdr.daddr, &router, sizeof(router)) == 0)
    return TC_ACT_OK;
  struct in6_addr source;
  copy_bytes(&source, &hdr.saddr, sizeof(source));
  if (bpf_map_lookup_elem(&blocked, &source))
    return TC_ACT_SHOT;
  __u8 prefix[8];
  copy_prefix(prefix, &hdr.daddr, sizeof(prefix));
  struct sum_state state = {.bytes = prefix, .total = 0};
  bpf_loop(8, add_byte, &state, 0);
  skb->mark = state.total + prefix[0];
  bpf_tail_call(skb, &stages, hdr.next_header & 1);
  return TC_ACT_OK;
}

SEC("tc")
int tc_stage(struct __sk_buff *skb) {
  return skb->len > 1500 ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";

// Realistic XDP load balancer in the style of public projects: 5-tuple flow
// keys, a Jenkins-style hash, an LRU connection table, a backend array,
// IP-in-IP encapsulation with bpf_xdp_adjust_head, and a plain `static`
// helper with six parameters, which ebpfc inlines (it could not be a
// BPF-to-BPF call). Must compile without restricted-C diagnostics and load.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_BACKENDS 64

struct flow {
  __be32 src;
  __be32 dst;
  __be16 sport;
  __be16 dport;
  __u8 proto;
  __u8 pad[3];
};

struct backend {
  __be32 addr;
  __u8 mac[ETH_ALEN];
  __u16 weight;
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, struct flow);
  __type(value, __u32);
} connections SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAX_BACKENDS);
  __type(key, __u32);
  __type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u32 rol32(__u32 word, unsigned int shift) {
  return (word << shift) | (word >> ((-shift) & 31));
}

static __always_inline __u32 mix3(__u32 a, __u32 b, __u32 c) {
  c ^= b; c -= rol32(b, 14);
  a ^= c; a -= rol32(c, 11);
  b ^= a; b -= rol32(a, 25);
  c ^= b; c -= rol32(b, 16);
  a ^= c; a -= rol32(c, 4);
  b ^= a; b -= rol32(a, 14);
  c ^= b; c -= rol32(b, 24);
  return c;
}

static __always_inline __u32 flow_hash(const struct flow *f) {
  return mix3(f->src, f->dst, ((__u32)f->sport << 16 | f->dport) + f->proto);
}

// Six parameters and no always_inline: ebpfc inlines it at every call.
static void fill_outer_ip(struct iphdr *outer, __be32 saddr, __be32 daddr, __u16 inner_len, __u8 ttl, __u16 id) {
  outer->version = 4;
  outer->ihl = 5;
  outer->tos = 0;
  outer->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
  outer->id = bpf_htons(id);
  outer->frag_off = 0;
  outer->ttl = ttl;
  outer->protocol = IPPROTO_IPIP;
  outer->saddr = saddr;
  outer->daddr = daddr;
  __u32 sum = 0;
  __u16 *words = (__u16 *)outer;
  outer->check = 0;
#pragma unroll
  for (int i = 0; i < (int)sizeof(struct iphdr) / 2; i++)
    sum += words[i];
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  outer->check = ~sum;
}

// A global subprogram: verified on its own, called as a BPF-to-BPF call.
__attribute__((noinline)) int pick_backend(struct flow *f) {
  if (!f)
    return -1;
  __u32 *known = bpf_map_lookup_elem(&connections, f);
  if (known)
    return *known;
  __u32 index = flow_hash(f) % MAX_BACKENDS;
  bpf_map_update_elem(&connections, f, &index, BPF_ANY);
  return index;
}

SEC("xdp")
int xdp_balancer(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = data + sizeof(*eth);
  if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
    return XDP_PASS;
  struct flow f;
  __builtin_memset(&f, 0, sizeof(f));
  f.src = ip->saddr;
  f.dst = ip->daddr;
  f.proto = ip->protocol;
  __u16 *ports = (void *)(ip + 1);
  if ((void *)(ports + 2) <= end) {
    f.sport = ports[0];
    f.dport = ports[1];
  }
  __u16 inner_len = bpf_ntohs(ip->tot_len);
  int chosen = pick_backend(&f);
  if (chosen < 0)
    return XDP_ABORTED;
  __u32 key = chosen;
  struct backend *be = bpf_map_lookup_elem(&backends, &key);
  if (!be || !be->addr)
    return XDP_PASS;
  if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
    return XDP_DROP;
  data = (void *)(long)ctx->data;
  end = (void *)(long)ctx->data_end;
  struct ethhdr *new_eth = data;
  struct iphdr *outer = data + sizeof(*new_eth);
  if ((void *)(outer + 1) > end)
    return XDP_DROP;
  __builtin_memcpy(new_eth->h_dest, be->mac, ETH_ALEN);
  new_eth->h_proto = bpf_htons(ETH_P_IP);
  fill_outer_ip(outer, bpf_htonl(0x0a000001), be->addr, inner_len, 64, (__u16)key);
  return XDP_TX;
}

char _license[] SEC("license") = "GPL";

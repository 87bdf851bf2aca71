// Realistic XDP program in the style of public tutorials: a header cursor,
// always_inline parsers, VLAN tags in an unrolled loop, ICMP echo replies
// with swapped addresses and an incrementally updated checksum, per-CPU
// statistics and a devmap redirect. Must compile without restricted-C
// diagnostics and load.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
struct icmphdr { __u8 type; __u8 code; __sum16 checksum; __be32 rest; };
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_VLAN_DEPTH 2

struct cursor {
  void *pos;
};

struct vlan_tag {
  __be16 tci;
  __be16 proto;
};

struct rx_stats {
  __u64 packets;
  __u64 bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, XDP_REDIRECT + 1);
  __type(key, __u32);
  __type(value, struct rx_stats);
} verdicts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_DEVMAP);
  __uint(max_entries, 16);
  __type(key, __u32);
  __type(value, __u32);
} egress SEC(".maps");

static __always_inline int is_vlan(__u16 proto) {
  return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

static __always_inline int parse_eth(struct cursor *c, void *end, struct ethhdr **eth) {
  struct ethhdr *hdr = c->pos;
  if ((void *)(hdr + 1) > end)
    return -1;
  c->pos = hdr + 1;
  *eth = hdr;
  __u16 proto = hdr->h_proto;
  struct vlan_tag *tag = c->pos;
#pragma unroll
  for (int i = 0; i < MAX_VLAN_DEPTH; i++) {
    if (!is_vlan(proto))
      break;
    if ((void *)(tag + 1) > end)
      break;
    proto = tag->proto;
    tag++;
  }
  c->pos = tag;
  return proto;
}

static __always_inline int parse_ip(struct cursor *c, void *end, struct iphdr **ip) {
  struct iphdr *hdr = c->pos;
  if ((void *)(hdr + 1) > end)
    return -1;
  int size = hdr->ihl * 4;
  if (size < (int)sizeof(*hdr) || c->pos + size > end)
    return -1;
  c->pos += size;
  *ip = hdr;
  return hdr->protocol;
}

static __always_inline __u16 fold(__u32 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)~sum;
}

// RFC 1624 incremental update for a 16-bit field change.
static __always_inline __u16 update_csum(__u16 csum, __be16 old, __be16 new) {
  __u32 sum = (__u16)~csum + (__u16)~old + (__u16)new;
  return fold(sum);
}

static __always_inline void swap_macs(struct ethhdr *eth) {
  __u8 tmp[ETH_ALEN];
  __builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
  __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
  __builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline __u32 record(struct xdp_md *ctx, __u32 verdict) {
  struct rx_stats *stats = bpf_map_lookup_elem(&verdicts, &verdict);
  if (stats) {
    stats->packets++;
    stats->bytes += ctx->data_end - ctx->data;
  }
  return verdict;
}

SEC("xdp")
int xdp_icmp_responder(struct xdp_md *ctx) {
  void *end = (void *)(long)ctx->data_end;
  struct cursor c = {.pos = (void *)(long)ctx->data};
  struct ethhdr *eth;
  struct iphdr *ip;
  int proto = parse_eth(&c, end, &eth);
  if (proto != bpf_htons(ETH_P_IP))
    return record(ctx, XDP_PASS);
  if (parse_ip(&c, end, &ip) != IPPROTO_ICMP)
    return record(ctx, XDP_PASS);
  struct icmphdr *icmp = c.pos;
  if ((void *)(icmp + 1) > end || icmp->type != ICMP_ECHO)
    return record(ctx, XDP_PASS);
  swap_macs(eth);
  __be32 addr = ip->saddr;
  ip->saddr = ip->daddr;
  ip->daddr = addr;
  __be16 old = *(__be16 *)icmp;
  icmp->type = ICMP_ECHOREPLY;
  icmp->checksum = update_csum(icmp->checksum, old, *(__be16 *)icmp);
  return record(ctx, XDP_TX);
}

SEC("xdp")
int xdp_forward(struct xdp_md *ctx) {
  __u32 port = ctx->ingress_ifindex & 15;
  return bpf_redirect_map(&egress, port, XDP_PASS);
}

char _license[] SEC("license") = "GPL";

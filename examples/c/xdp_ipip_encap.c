// xdp_ipip_encap: an IPv4-in-IPv4 (IPIP, RFC 2003) tunnel entry point in XDP.
// IPv4 packets whose destination has an entry in `tunnels` get an outer IPv4
// header in front of them: bpf_xdp_adjust_head() grows the frame by 20 bytes
// at the front, the Ethernet header is rebuilt towards the tunnel's next hop
// and the outer header (protocol 4, TTL 64, DF, header checksum computed
// here) carries the inner packet to the remote tunnel endpoint. The frame
// leaves through the interface it came in on (XDP_TX). Other traffic passes;
// frames shorter than the IPv4 header or its total length are dropped.
//
// Attach: ip link set dev eth0 xdp obj xdp_ipip_encap.o sec xdp
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define OUTER_TTL 64
#define IP_DONT_FRAGMENT 0x4000

struct tunnel {
	__be32 local;             // outer source: this host's tunnel address
	__be32 remote;            // outer destination: the tunnel's far end
	__u8 dest_mac[ETH_ALEN];  // next hop towards `remote`
	__u8 source_mac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __be32); // inner destination address
	__type(value, struct tunnel);
} tunnels SEC(".maps");

static __always_inline __u16 ipv4_header_checksum(struct iphdr *ip)
{
	__u16 *word = (__u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += word[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int ipip_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *inner = (void *)(eth + 1);
	struct tunnel *tunnel;
	struct iphdr *outer;
	__be32 inner_dest;
	__u16 inner_len;
	__u8 inner_tos;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(inner + 1) > data_end)
		return XDP_DROP;
	inner_len = bpf_ntohs(inner->tot_len);
	if (inner_len < sizeof(*inner) || (void *)inner + inner_len > data_end)
		return XDP_DROP;

	inner_dest = inner->daddr;
	tunnel = bpf_map_lookup_elem(&tunnels, &inner_dest);
	if (!tunnel)
		return XDP_PASS;
	inner_tos = inner->tos;

	// Invalidates every packet pointer: reload data and data_end.
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > data_end)
		return XDP_DROP;

	__builtin_memcpy(eth->h_dest, tunnel->dest_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tunnel->source_mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	outer->version = 4;
	outer->ihl = sizeof(*outer) / 4;
	outer->tos = inner_tos;
	outer->tot_len = bpf_htons(inner_len + sizeof(*outer));
	outer->id = 0;
	outer->frag_off = bpf_htons(IP_DONT_FRAGMENT);
	outer->ttl = OUTER_TTL;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = tunnel->local;
	outer->daddr = tunnel->remote;
	outer->check = ipv4_header_checksum(outer);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

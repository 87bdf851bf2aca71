/* l4lb: a small layer-4 load balancer. TCP packets to the virtual service
 * 10.0.0.100:80 are spread over 16 backends by a hash of their 5-tuple and
 * sent on encapsulated in an outer IPv4 header (IP-in-IP, from the
 * balancer's address 10.0.0.2 to the backend), with the backend's MAC
 * address. Packets that arrive already encapsulated by this balancer (from
 * an upstream tier) are decapsulated and balanced again — so a packet the
 * program has just written is a valid input for its next run. */
#include "packet.h"

#define VIP 0x0a000064 /* 10.0.0.100 */
#define VIP_PORT 80
#define LB_ADDRESS 0x0a000002 /* 10.0.0.2 */
#define BACKENDS 16

struct backend {
	__u32 addr;
	__u8 mac[ETH_ALEN];
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u32 mix(__u32 a, __u32 b, __u32 c)
{
	a -= c; a ^= (c << 4) | (c >> 28); c += b;
	b -= a; b ^= (a << 6) | (a >> 26); a += c;
	c -= b; c ^= (b << 8) | (b >> 24); b += a;
	a -= c; a ^= (c << 16) | (c >> 16); c += b;
	b -= a; b ^= (a << 19) | (a >> 13); a += c;
	c -= b; c ^= (b << 4) | (b >> 28); b += a;
	return c;
}

SEC("xdp")
int l4lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4_header(data, data_end);

	if (!ip)
		return XDP_PASS;
	if (ip->protocol == IPPROTO_IPIP && ip->saddr == bpf_htonl(LB_ADDRESS)) {
		/* Decapsulate: the Ethernet header moves up over the outer IPv4 header. */
		struct ethhdr eth = *(struct ethhdr *)data;
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(struct iphdr)))
			return XDP_DROP;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		if (data + sizeof(eth) > data_end)
			return XDP_DROP;
		*(struct ethhdr *)data = eth;
		ip = ipv4_header(data, data_end);
		if (!ip)
			return XDP_DROP;
	}
	if (ip->daddr != bpf_htonl(VIP) || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return XDP_PASS;
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	if ((void *)(tcp + 1) > data_end || tcp->dest != bpf_htons(VIP_PORT))
		return XDP_PASS;

	__u32 slot = mix(ip->saddr, ip->daddr ^ IPPROTO_TCP, (__u32)tcp->source << 16 | tcp->dest) % BACKENDS;
	struct backend *backend = bpf_map_lookup_elem(&backends, &slot);
	if (!backend)
		return XDP_ABORTED;
	const __u16 inner_length = bpf_ntohs(ip->tot_len);
	const __u8 inner_tos = ip->tos;
	struct ethhdr eth = *(struct ethhdr *)data;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	struct ethhdr *outer_eth = data;
	struct iphdr *outer = (struct iphdr *)(outer_eth + 1);
	if ((void *)(outer + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(outer_eth->h_source, eth.h_dest, ETH_ALEN);
	__builtin_memcpy(outer_eth->h_dest, backend->mac, ETH_ALEN);
	outer_eth->h_proto = bpf_htons(ETH_P_IP);
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = inner_tos;
	outer->tot_len = bpf_htons(inner_length + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = bpf_htons(0x4000); /* don't fragment */
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(LB_ADDRESS);
	outer->daddr = backend->addr;
	outer->check = ipv4_checksum(outer);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";

/* lpm_route: IPv4 forwarding. The destination address is looked up in an
 * LPM trie of routes (prefixes of every length); a hit rewrites the
 * Ethernet addresses to the next hop's and sends the packet back out
 * (XDP_TX); a miss goes to the stack. */
#include "packet.h"

struct route_key {
	__u32 prefixlen;
	__u32 addr;
};

struct next_hop {
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
	__u32 ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct route_key);
	__type(value, struct next_hop);
} routes SEC(".maps");

SEC("xdp")
int lpm_route(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4_header(data, data_end);

	if (!ip)
		return XDP_PASS;
	struct route_key key = { .prefixlen = 32, .addr = ip->daddr };
	struct next_hop *hop = bpf_map_lookup_elem(&routes, &key);
	if (!hop)
		return XDP_PASS;
	struct ethhdr *eth = data;
	__builtin_memcpy(eth->h_dest, hop->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, hop->smac, ETH_ALEN);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";

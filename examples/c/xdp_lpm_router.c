// xdp_lpm_router: an IPv4 fast path in XDP. The destination address is looked up
// in a longest-prefix-match trie of routes; a hit rewrites the Ethernet
// addresses for the next hop, decrements the TTL (updating the header
// checksum incrementally, RFC 1624) and redirects the frame to the route's
// interface with bpf_redirect(). Packets without a route, with an expiring
// TTL (the stack must send ICMP time exceeded) or with IP options, and
// non-IPv4 traffic take the normal path through the stack (XDP_PASS).
// Frames too short for the headers they announce are dropped.
//
// Attach: ip link set dev eth0 xdp obj xdp_lpm_router.o sec xdp
// Route:  bpftool map update name routes key 24 0 0 0 10 0 1 0 \
//           value <ifindex as 4 bytes> <next-hop MAC> <egress MAC>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// An LPM trie key is the prefix length followed by the address bytes.
struct route_key {
	__u32 prefixlen;
	__be32 addr;
};

struct next_hop {
	__u32 ifindex;              // egress interface
	__u8 dest_mac[ETH_ALEN];    // the next hop's MAC address
	__u8 source_mac[ETH_ALEN];  // the egress interface's MAC address
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct route_key);
	__type(value, struct next_hop);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required for LPM tries
} routes SEC(".maps");

// The TTL is the high byte of its 16-bit checksum word: decrementing it
// lowers the word by 0x0100, so the checksum grows by the same amount
// (with end-around carry), as the kernel's ip_decrease_ttl() does.
static __always_inline void decrement_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xffff));
	ip->ttl--;
}

SEC("xdp")
int lpm_router(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct route_key key = { .prefixlen = 32 };
	struct next_hop *hop;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (ip->ihl != 5 || ip->ttl <= 1)
		return XDP_PASS;

	key.addr = ip->daddr;
	hop = bpf_map_lookup_elem(&routes, &key);
	if (!hop)
		return XDP_PASS;

	decrement_ttl(ip);
	__builtin_memcpy(eth->h_dest, hop->dest_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, hop->source_mac, ETH_ALEN);
	return bpf_redirect(hop->ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";

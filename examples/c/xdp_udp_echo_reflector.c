// xdp_udp_echo_reflector: answers UDP echo requests (port 7, RFC 862) from XDP.
// The request is turned into the reply in place: Ethernet addresses, IP
// addresses (IPv4 or IPv6) and UDP ports are swapped and the frame leaves
// through the interface it came in on (XDP_TX). Swapping fields does not
// change the one's-complement sums, so the IPv4 header checksum and the UDP
// checksum stay valid without recomputation. Everything else passes.
//
// Attach: ip link set dev eth0 xdp obj xdp_udp_echo_reflector.o sec xdp
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ECHO_PORT 7

static __always_inline void swap_mac_addresses(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

// Swaps the UDP ports when `udp` is a complete header addressed to the echo
// port; returns whether it did.
static __always_inline int reflect_udp_echo(struct udphdr *udp, void *data_end)
{
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(ECHO_PORT))
		return 0;
	udp->dest = udp->source;
	udp->source = bpf_htons(ECHO_PORT);
	return 1;
}

SEC("xdp")
int udp_echo_reflector(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__be32 addr;

		if ((void *)(ip + 1) > data_end || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
			return XDP_PASS;
		if (!reflect_udp_echo((void *)ip + ip->ihl * 4, data_end))
			return XDP_PASS;
		addr = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = addr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct in6_addr addr;

		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		if (!reflect_udp_echo((void *)(ip6 + 1), data_end))
			return XDP_PASS;
		addr = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = addr;
	} else {
		return XDP_PASS;
	}

	swap_mac_addresses(eth);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

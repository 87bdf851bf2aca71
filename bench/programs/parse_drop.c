/* parse_drop: a stateless filter. Parses Ethernet, IPv4 (with options),
 * TCP and UDP; drops malformed packets, TCP scans without flags or with
 * FIN+PSH+URG, sources in 192.0.2.0/24, and packets to a few blocked
 * ports; passes the rest. No maps, no loops. */
#include "packet.h"

static __always_inline int blocked_port(__u16 port)
{
	return port == bpf_htons(23) || port == bpf_htons(445) || port == bpf_htons(3389) ||
	       port == bpf_htons(11211);
}

static __always_inline int parse_drop_core(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (ip->version != 4 || ip->ihl < 5)
		return XDP_DROP;
	if ((ip->saddr & bpf_htonl(0xffffff00)) == bpf_htonl(0xc0000200))
		return XDP_DROP;
	if (ip->frag_off & bpf_htons(0x1fff)) /* later fragments carry no ports */
		return XDP_PASS;
	void *l4 = (void *)ip + ip->ihl * 4;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		if (!(tcp->syn | tcp->ack | tcp->fin | tcp->rst | tcp->psh | tcp->urg))
			return XDP_DROP;
		if (tcp->fin && tcp->psh && tcp->urg)
			return XDP_DROP;
		return blocked_port(tcp->dest) ? XDP_DROP : XDP_PASS;
	}
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		return blocked_port(udp->dest) ? XDP_DROP : XDP_PASS;
	}
	return XDP_PASS;
}

BENCH_PACKET(parse_drop)

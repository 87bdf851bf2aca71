// tc_classifier: a tc (clsact) classifier that marks traffic for queueing
// and routing policy. It sets skb->mark (for `ip rule fwmark`, iptables
// `-m mark` or an `fw` filter) and, for voice, skb->priority (which selects
// the band of prio/mqprio qdiscs):
//   DSCP EF (46) over IPv4 or IPv6 -> mark 0x10, priority 6 (TC_PRIO_INTERACTIVE)
//   TCP to port 22 (SSH)           -> mark 0x20
//   UDP or TCP to port 53 (DNS)    -> mark 0x30
// Other packets keep their mark. The classifier never drops (TC_ACT_OK).
//
// Attach: tc qdisc add dev eth0 clsact
//         tc filter add dev eth0 egress bpf da obj tc_classifier.o sec tc
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define DSCP_EF 46
#define MARK_VOICE 0x10
#define MARK_SSH 0x20
#define MARK_DNS 0x30

// The DSCP is the upper six bits of the IPv4 TOS byte and of the IPv6
// traffic class, which straddles the first two bytes of the header.
static __always_inline __u8 ipv6_dscp(struct ipv6hdr *ip6)
{
	return (ip6->priority << 2) | (ip6->flow_lbl[0] >> 6);
}

// The mark for the packet's class, 0 when it belongs to none.
static __always_inline __u32 traffic_class_mark(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	__u8 dscp, protocol;
	__u16 dest_port;
	void *l4;

	if ((void *)(eth + 1) > data_end)
		return 0;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return 0;
		dscp = ip->tos >> 2;
		protocol = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		dscp = ipv6_dscp(ip6);
		protocol = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return 0;
	}

	if (dscp == DSCP_EF)
		return MARK_VOICE;

	// TCP and UDP both start with the source and destination ports.
	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
		return 0;
	if (l4 + sizeof(struct udphdr) > data_end)
		return 0;
	dest_port = bpf_ntohs(((struct udphdr *)l4)->dest);
	if (protocol == IPPROTO_TCP && dest_port == 22)
		return MARK_SSH;
	if (dest_port == 53)
		return MARK_DNS;
	return 0;
}

SEC("tc")
int tc_classifier(struct __sk_buff *skb)
{
	__u32 mark = traffic_class_mark((void *)(long)skb->data, (void *)(long)skb->data_end);

	// Exactly one unconditional store per context field: the verifier
	// rewrites __sk_buff accesses by their constant offset, and separate
	// conditional stores would let LLVM merge them into one store through a
	// computed field address, which the verifier rejects.
	skb->mark = mark ? mark : skb->mark;
	skb->priority = mark == MARK_VOICE ? TC_PRIO_INTERACTIVE : skb->priority;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

// xdp_port_filter: XDP firewall that drops TCP and UDP packets addressed to a
// blocked destination port, over IPv4 and IPv6, with or without VLAN tags
// (802.1Q and 802.1ad, up to two). User space fills `blocked_ports`; the
// value counts the packets dropped for that port.
//
// Every header is bounds-checked before it is read: a packet cut short inside
// a header the filter must read to decide is dropped. Packets it has no
// opinion about (ARP, ICMP, non-first IPv4 fragments, IPv6 extension headers)
// pass.
//
// Attach: ip link set dev eth0 xdp obj xdp_port_filter.o sec xdp
// Block:  bpftool map update name blocked_ports key 0x16 0x00 0x06 0x00 value 0 0 0 0 0 0 0 0
//         (key: port 22 as a little-endian __u16, then IPPROTO_TCP and a pad byte)
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_VLAN_TAGS 2
// Fragment offset bits of iphdr.frag_off (not exported by the UAPI headers).
#define IP_FRAGMENT_OFFSET 0x1fff

// An 802.1Q / 802.1ad tag as it follows the MAC addresses.
struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

struct port_key {
	__u16 port;    // destination port, host byte order
	__u8 protocol; // IPPROTO_TCP or IPPROTO_UDP
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct port_key);
	__type(value, __u64); // packets dropped
} blocked_ports SEC(".maps");

SEC("xdp")
int port_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct port_key key = {};
	__be16 proto;
	void *l4;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
	l4 = eth + 1;

#pragma unroll
	for (int i = 0; i < MAX_VLAN_TAGS; i++) {
		struct vlan_hdr *vlan = l4;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > data_end)
			return XDP_DROP;
		proto = vlan->encapsulated_proto;
		l4 = vlan + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l4;

		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return XDP_DROP;
		// Only the first fragment carries the L4 header.
		if (ip->frag_off & bpf_htons(IP_FRAGMENT_OFFSET))
			return XDP_PASS;
		key.protocol = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l4;

		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		key.protocol = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return XDP_PASS;
	}

	if (key.protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		key.port = bpf_ntohs(tcp->dest);
	} else if (key.protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		key.port = bpf_ntohs(udp->dest);
	} else {
		return XDP_PASS;
	}

	__u64 *dropped = bpf_map_lookup_elem(&blocked_ports, &key);
	if (!dropped)
		return XDP_PASS;
	__sync_fetch_and_add(dropped, 1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

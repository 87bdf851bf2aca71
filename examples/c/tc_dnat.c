// tc_dnat: destination NAT for IPv4 services in tc. Packets to a service
// address and port listed in `services` are rewritten to the service's
// backend with bpf_skb_store_bytes(); the IPv4 header checksum is fixed with
// bpf_l3_csum_replace() and the TCP/UDP checksum (whose pseudo-header covers
// the addresses) with bpf_l4_csum_replace(). A UDP checksum of zero means
// "none" and stays zero (BPF_F_MARK_MANGLED_0). Every packet continues
// (TC_ACT_OK).
//
// Attach: tc qdisc add dev eth0 clsact
//         tc filter add dev eth0 ingress bpf da obj tc_dnat.o sec tc
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct service_key {
	__be32 addr;
	__be16 port;
	__u8 protocol; // IPPROTO_TCP or IPPROTO_UDP
	__u8 pad;
};

struct backend {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct service_key);
	__type(value, struct backend);
} services SEC(".maps");

#define IP_DEST_OFFSET (ETH_HLEN + offsetof(struct iphdr, daddr))
#define IP_CHECK_OFFSET (ETH_HLEN + offsetof(struct iphdr, check))

SEC("tc")
int tc_dnat(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct service_key key = {};
	struct backend *found, to;
	__u32 l4_offset, l4_check_offset, port_offset;
	__u64 l4_flags;
	__be16 *ports;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return TC_ACT_OK;
	l4_offset = ETH_HLEN + ip->ihl * 4;
	ports = (void *)ip + ip->ihl * 4; // source and destination port, TCP and UDP alike
	if ((void *)(ports + 2) > data_end)
		return TC_ACT_OK;

	if (ip->protocol == IPPROTO_TCP) {
		l4_check_offset = l4_offset + offsetof(struct tcphdr, check);
		l4_flags = 0;
	} else if (ip->protocol == IPPROTO_UDP) {
		l4_check_offset = l4_offset + offsetof(struct udphdr, check);
		l4_flags = BPF_F_MARK_MANGLED_0;
	} else {
		return TC_ACT_OK;
	}
	key.addr = ip->daddr;
	key.port = ports[1];
	key.protocol = ip->protocol;
	found = bpf_map_lookup_elem(&services, &key);
	if (!found)
		return TC_ACT_OK;
	to = *found;
	port_offset = l4_offset + sizeof(__be16);

	// The helpers below may move the packet: direct packet pointers are
	// invalid from here on, every access goes through offsets.
	if (bpf_l4_csum_replace(skb, l4_check_offset, key.addr, to.addr,
				l4_flags | BPF_F_PSEUDO_HDR | sizeof(to.addr)) ||
	    bpf_l4_csum_replace(skb, l4_check_offset, key.port, to.port, l4_flags | sizeof(to.port)) ||
	    bpf_l3_csum_replace(skb, IP_CHECK_OFFSET, key.addr, to.addr, sizeof(to.addr)) ||
	    bpf_skb_store_bytes(skb, IP_DEST_OFFSET, &to.addr, sizeof(to.addr), 0) ||
	    bpf_skb_store_bytes(skb, port_offset, &to.port, sizeof(to.port), 0))
		return TC_ACT_SHOT; // a half-rewritten packet must not leave
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

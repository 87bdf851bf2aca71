// xdp_ethertype_filter: the simplest useful XDP filter. Frames carrying IPv4, IPv6
// or ARP pass to the network stack; every other EtherType (LLDP, PPPoE, raw
// 802.3 frames, ...) and every frame too short for an Ethernet header is
// dropped before the kernel allocates an skb for it.
//
// Attach: ip link set dev eth0 xdp obj xdp_ethertype_filter.o sec xdp
// Detach: ip link set dev eth0 xdp off
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ethertype_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;

	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
	case ETH_P_IPV6:
	case ETH_P_ARP:
		return XDP_PASS;
	default:
		return XDP_DROP;
	}
}

char LICENSE[] SEC("license") = "GPL";

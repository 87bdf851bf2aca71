// A UDP echo responder for the ebpfvm CLI tests: UDP to port 7 goes back
// where it came from (addresses and ports swapped, XDP_TX), everything else
// passes; packets are counted per IP protocol and echoes are logged.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} protocols SEC(".maps");

SEC("xdp")
int echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 mac[ETH_ALEN];
	__u32 protocol, address;
	__u16 port;
	__u64 one = 1, *count;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	protocol = ip->protocol;
	count = bpf_map_lookup_elem(&protocols, &protocol);
	if (count)
		*count += 1;
	else
		bpf_map_update_elem(&protocols, &protocol, &one, BPF_ANY);
	if (protocol != IPPROTO_UDP || (void *)(udp + 1) > data_end || udp->dest != bpf_htons(7))
		return XDP_PASS;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	address = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = address;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	bpf_printk("echo to port %u", bpf_ntohs(port));
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

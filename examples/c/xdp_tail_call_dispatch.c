// xdp_tail_call_dispatch: one XDP entry program that hands each packet to a
// per-protocol program through a program array (bpf_tail_call). The array
// is filled statically in the object, so libbpf and bpftool install the
// handlers when they load it. The handlers drop packets with martian source
// addresses (IPv4: 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4; IPv6: ::1 and
// ff00::/8) and count what they handled in `handled`. Protocols without a
// handler (ARP, ...) fall through the tail call and pass.
//
// Attach: bpftool prog loadall xdp_tail_call_dispatch.o /sys/fs/bpf/dispatch \
//           pinmaps /sys/fs/bpf/dispatch_maps
//         bpftool net attach xdp pinned /sys/fs/bpf/dispatch/dispatcher dev eth0
// (The pinned maps keep the program array filled: the kernel empties a
// program array when no file descriptor or pin refers to it any more.)
// (`ip link ... obj` cannot load it: iproute2 loads only the program it
// attaches, plus tail-call targets in its own legacy "id/slot" sections, so
// libbpf finds the handlers unloaded when it fills the program array.)
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum dispatch_slot {
	SLOT_IPV4,
	SLOT_IPV6,
	SLOT_ARP, // deliberately empty: the tail call fails and ARP passes
	SLOT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOT_COUNT);
	__type(key, __u32);
	__type(value, __u64); // packets handled per slot
} handled SEC(".maps");

static __always_inline void count_handled(__u32 slot)
{
	__u64 *count = bpf_map_lookup_elem(&handled, &slot);

	if (count)
		__sync_fetch_and_add(count, 1);
}

int handle_ipv4(struct xdp_md *ctx);
int handle_ipv6(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SLOT_COUNT);
	// A size, not a BTF type: the kernel accepts no BTF types for program
	// array keys (libbpf would retry without BTF, with a warning).
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} dispatch_table SEC(".maps") = {
	.values = {
		[SLOT_IPV4] = (void *)&handle_ipv4,
		[SLOT_IPV6] = (void *)&handle_ipv6,
	},
};

SEC("xdp")
int dispatcher(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
		bpf_tail_call(ctx, &dispatch_table, SLOT_IPV4);
		break;
	case ETH_P_IPV6:
		bpf_tail_call(ctx, &dispatch_table, SLOT_IPV6);
		break;
	case ETH_P_ARP:
		bpf_tail_call(ctx, &dispatch_table, SLOT_ARP);
		break;
	}
	return XDP_PASS;
}

SEC("xdp")
int handle_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u8 first_octet;

	count_handled(SLOT_IPV4);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	first_octet = bpf_ntohl(ip->saddr) >> 24;
	if (first_octet == 0 || first_octet == 127 || (first_octet & 0xf0) == 224)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int handle_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	struct in6_addr *source;

	count_handled(SLOT_IPV6);
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	source = &ip6->saddr;
	if (source->s6_addr[0] == 0xff)
		return XDP_DROP;
	if (source->s6_addr32[0] == 0 && source->s6_addr32[1] == 0 && source->s6_addr32[2] == 0 &&
	    source->s6_addr32[3] == bpf_htonl(1))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

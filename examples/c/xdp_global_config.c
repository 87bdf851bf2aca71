// xdp_global_config: an IP protocol blocker configured through global variables,
// the way libbpf skeletons expose them to user space:
//   .rodata  const volatile settings, fixed before the program is loaded
//            (skel->rodata->blocked_protocol = IPPROTO_UDP; the verifier sees
//            them as constants and removes branches they rule out);
//   .data    initialized variables user space may change while the program
//            runs (skel->data->enforcing = 0 turns blocking off);
//   .bss     zero-initialized counters user space reads.
// Frames longer than max_frame_len are dropped; IPv4 or IPv6 packets of the
// blocked protocol are dropped while enforcing is set; the rest pass.
//
// Attach: ip link set dev eth0 xdp obj xdp_global_config.o sec xdp
// Read:   bpftool map dump name xdp_glob.bss
//         (libbpf names it after the first 8 characters of the object's name)
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u8 blocked_protocol = IPPROTO_UDP;
const volatile __u32 max_frame_len = 1514;

__u32 enforcing = 1;

__u64 packets_passed;
__u64 packets_blocked;
__u64 packets_oversize;

static __always_inline int protocol_of(void *data, void *data_end, __u8 *protocol)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			return 0;
		*protocol = ip->protocol;
		return 1;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		*protocol = ip6->nexthdr;
		return 1;
	}
	return 0;
}

SEC("xdp")
int global_config(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 protocol;

	if (data_end - data > max_frame_len) {
		__sync_fetch_and_add(&packets_oversize, 1);
		return XDP_DROP;
	}
	if (enforcing && protocol_of(data, data_end, &protocol) && protocol == blocked_protocol) {
		__sync_fetch_and_add(&packets_blocked, 1);
		return XDP_DROP;
	}
	__sync_fetch_and_add(&packets_passed, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

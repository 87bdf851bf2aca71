// xdp_icmp_logger: reports IPv4 ICMP echo requests (pings) to user space, two
// ways: a line in the kernel trace buffer via bpf_printk() (read it with
// `bpftool prog tracelog`), and a fixed-size record in a BPF ring buffer,
// which a user-space consumer reads with ring_buffer__poll(). Pings are not
// answered or dropped; every packet passes.
//
// Attach: ip link set dev eth0 xdpgeneric obj xdp_icmp_logger.o sec xdp
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// <linux/icmp.h> pulls in glibc's <sys/socket.h>, which does not build for
// the BPF target; the echo header is all this program needs.
struct icmp_echo_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};
#define ICMP_ECHO_REQUEST 8

struct ping_event {
	__be32 source;
	__be32 destination;
	__u16 id;       // host byte order
	__u16 sequence; // host byte order
	__u32 ingress_ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} ping_events SEC(".maps");

SEC("xdp")
int icmp_logger(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmp_echo_hdr *icmp;
	struct ping_event *event;
	__be32 source;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_ICMP || ip->ihl < 5)
		return XDP_PASS;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO_REQUEST)
		return XDP_PASS;

	source = ip->saddr;
	bpf_printk("ping from %pI4 id %u seq %u", &source, bpf_ntohs(icmp->id),
		   bpf_ntohs(icmp->sequence));

	event = bpf_ringbuf_reserve(&ping_events, sizeof(*event), 0);
	if (!event)
		return XDP_PASS; // a full ring buffer loses the event, not the packet
	event->source = source;
	event->destination = ip->daddr;
	event->id = bpf_ntohs(icmp->id);
	event->sequence = bpf_ntohs(icmp->sequence);
	event->ingress_ifindex = ctx->ingress_ifindex;
	bpf_ringbuf_submit(event, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

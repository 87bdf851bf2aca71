/* Drops UDP datagrams to one port and counts the drops per IPv4 source.
 * The port is a .rodata constant the loader sets before load; the counters
 * are global variables (.bss) and a hash map the loader reads. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_filter.h"

const volatile struct filter_config config = {.blocked_port = 53, .enabled = 1};

struct filter_stats stats;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* IPv4 source address, network byte order */
	__type(value, __u64); /* datagrams dropped */
} drops_by_source SEC(".maps");

static __always_inline int is_blocked(void *data, void *data_end, __u32 *source)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return 0;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return 0;
	*source = ip->saddr;
	return config.enabled && udp->dest == bpf_htons(config.blocked_port);
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 source = 0;
	__u64 one = 1, *drops;

	if (!is_blocked(data, data_end, &source)) {
		__sync_fetch_and_add(&stats.passed, 1);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&stats.dropped, 1);
	drops = bpf_map_lookup_elem(&drops_by_source, &source);
	if (drops)
		__sync_fetch_and_add(drops, 1);
	else
		bpf_map_update_elem(&drops_by_source, &source, &one, BPF_NOEXIST);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

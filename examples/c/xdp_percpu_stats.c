// xdp_percpu_stats: counts packets and bytes per traffic class (IPv4, IPv6, ARP,
// other) in a per-CPU array and lets every packet pass. Each CPU updates its
// own copy of the counters, so no atomic instructions are needed; user space
// adds the CPUs' values up when it reads them:
//   bpftool map dump name traffic_stats
//
// Attach: ip link set dev eth0 xdpgeneric obj xdp_percpu_stats.o sec xdp
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum traffic_class {
	CLASS_IPV4,
	CLASS_IPV6,
	CLASS_ARP,
	CLASS_OTHER,
	CLASS_COUNT,
};

struct traffic_counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CLASS_COUNT);
	__type(key, __u32);
	__type(value, struct traffic_counters);
} traffic_stats SEC(".maps");

static __always_inline __u32 classify(struct ethhdr *eth, void *data_end)
{
	if ((void *)(eth + 1) > data_end)
		return CLASS_OTHER;
	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
		return CLASS_IPV4;
	case ETH_P_IPV6:
		return CLASS_IPV6;
	case ETH_P_ARP:
		return CLASS_ARP;
	default:
		return CLASS_OTHER;
	}
}

SEC("xdp")
int percpu_stats(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 class = classify(data, data_end);
	struct traffic_counters *counters = bpf_map_lookup_elem(&traffic_stats, &class);

	if (counters) {
		counters->packets += 1;
		counters->bytes += data_end - data;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

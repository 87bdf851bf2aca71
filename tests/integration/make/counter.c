#include "common.h"
#include "counter.h"

__u64 packets[COUNTER_SLOTS];

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&packets[0], 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

#include "common.h"
#include "filter.h"

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	return FILTER_VERDICT;
}

char LICENSE[] SEC("license") = "GPL";

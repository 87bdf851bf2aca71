// Calls helper 0x10000, which no kernel defines: an embedder's own helper,
// registered through HelperRegistry. It also reads the clock (helper 5),
// which the test replaces.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long (*embedder_add)(long a, long b) = (void *)0x10000;

SEC("xdp")
int custom(struct xdp_md *ctx)
{
	return embedder_add(40, 2) + (bpf_ktime_get_ns() == 777 ? 100 : 0);
}

char LICENSE[] SEC("license") = "GPL";

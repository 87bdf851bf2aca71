// Writes below its stack frame through a pointer with a run-time offset
// (the verifier would refuse; C compiles it).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int below_stack(struct xdp_md *ctx)
{
	volatile char buffer[16];
	volatile long distance = 600;

	buffer[0] = 1;
	*((volatile char *)buffer - distance) = 2;
	return buffer[0];
}

char LICENSE[] SEC("license") = "GPL";

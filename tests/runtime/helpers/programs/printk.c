// bpf_trace_printk (through bpf_printk) and bpf_trace_vprintk with the
// conversions the kernel accepts, and one format it refuses.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} results SEC(".maps");

SEC("xdp")
int printk(struct xdp_md *ctx)
{
	__u32 address = 0x0100000a; // 10.0.0.1
	__u8 address6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	char name[] = "ebpf";
	__s64 refused;
	__u32 slot = 0;

	bpf_printk("plain text");
	bpf_printk("%d %i %u", -5, 42, -1);
	bpf_printk("%x %X %lx", 0xbeef, 0xbeef, 0x123456789abcdefULL);
	bpf_printk("%ld %lu %lld", -1234567890123LL, 18446744073709551615ULL, -1LL);
	bpf_printk("[%5d] [%-5d] [%05d]", 42, 42, 42);
	bpf_printk("%s=%c%%", name, 'x');
	bpf_printk("%pI4 %pi4", &address, &address);
	bpf_printk("%pI6", address6);
	bpf_printk("%d %d %d %d %d", 1, 2, 3, 4, 5);
	refused = bpf_trace_printk("%q\n", 4, 1);
	bpf_map_update_elem(&results, &slot, &refused, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

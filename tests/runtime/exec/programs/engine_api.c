// Two programs over shared maps, for the PacketEngine API tests: `count`
// (XDP) counts packets per EtherType, records the clock, a random number
// and the CPU, prints a line and redirects through a devmap; `mark` (tc)
// tags the packet and calls a helper XDP programs may not call.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u64);
} per_type SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} observed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

static __always_inline void observe(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&observed, &slot, &value, BPF_ANY);
}

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u16 type;
	__u64 one = 1, *counter;

	if (data + 14 > data_end)
		return XDP_DROP;
	type = *(__u16 *)(data + 12);
	counter = bpf_map_lookup_elem(&per_type, &type);
	if (counter)
		*counter += 1;
	else
		bpf_map_update_elem(&per_type, &type, &one, BPF_NOEXIST);
	observe(0, bpf_ktime_get_ns());
	observe(1, bpf_get_prandom_u32());
	observe(2, bpf_get_smp_processor_id());
	bpf_printk("type %x", type);
	return bpf_redirect_map(&ports, 1, XDP_PASS);
}

SEC("tc")
int mark(struct __sk_buff *skb)
{
	skb->mark = 42;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

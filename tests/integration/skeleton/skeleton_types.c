/* Global variables and maps of many C type shapes, for the skeleton test:
 * the generated header must declare them with the object's exact layout. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned int counter_t;

enum mode { MODE_OFF, MODE_COUNT, MODE_DROP = 7 };

struct pair {
	__u16 low;  /* 6 bytes of padding follow */
	__u64 high;
};

struct packed_header {
	__u8 kind;
	__u32 length; /* at offset 1 */
} __attribute__((packed));

struct flags {
	unsigned int small : 3, medium : 5;
	unsigned int whole;
};

union word {
	__u32 value;
	__u8 bytes[4];
};

struct settings {
	enum mode mode;
	struct {
		__u8 x, y;
	} point;
	struct pair pairs[2];
	counter_t limit;
	struct packed_header header;
	struct flags flags;
	union word word;
	char name[8];
};

const volatile struct settings settings = {.mode = MODE_COUNT, .limit = 10, .name = "default"};
const volatile __u32 multiplier = 3;

struct settings copy;
__u64 results[4];
int counter = 7;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pair);
} pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

SEC("xdp")
int copy_settings(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct pair first = {.low = settings.pairs[0].low, .high = settings.pairs[0].high};

	copy.mode = settings.mode;
	copy.point.x = settings.point.x;
	copy.point.y = settings.point.y;
	copy.pairs[1].high = settings.pairs[1].high;
	copy.limit = settings.limit;
	copy.header.length = settings.header.length;
	copy.flags.medium = settings.flags.medium;
	copy.word.value = settings.word.value;
	copy.name[0] = settings.name[0];
	results[0] = multiplier * counter;
	results[1] = settings.flags.small;
	results[2] = settings.header.kind;
	results[3] = sizeof(struct settings);
	counter++;
	bpf_map_update_elem(&pairs, &key, &first, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

// Global data in .data, .bss, .rodata and their named variants.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 42;
int second_counter = 0x55667788;
__u64 hits;
const volatile __u32 limit = 7;
int custom_data SEC(".data.custom") = 5;
const volatile int custom_ro SEC(".rodata.custom") = 9;
static int hidden_counter = 3;

SEC("xdp")
int use_globals(struct xdp_md *ctx) {
  hits++;
  counter += limit;
  second_counter++;
  hidden_counter++;
  bpf_trace_printk("counter %d\n", sizeof("counter %d\n"), counter);
  return custom_data + custom_ro + hidden_counter > 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

// Section names libbpf does not derive a program type from (iproute2 style),
// and a program in .text only (BPFabric/uBPF style) is in text_only.c.
#define SEC(name) __attribute__((section(name), used))

SEC("xdp_prog")
int drop_all(void *ctx) { return 1; }

SEC("classifier/ingress")
int classify(void *skb) { return 0; }

SEC("kprobe/do_sys_open")
int probe(void *regs) { return 0; }

char _license[] SEC("license") = "GPL";

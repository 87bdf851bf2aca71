// A call to a function declared but not defined in this file: no loader
// can resolve it (only helpers and kfuncs are resolved at load time).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classify_packet(void *data, void *end);

SEC("xdp") int uses_external(struct xdp_md *ctx) {
  return classify_packet((void *)(long)ctx->data, (void *)(long)ctx->data_end);
}

char _license[] SEC("license") = "GPL";

// ERROR: 9:10: call to 'classify_packet', which is not defined in this file
// NOTE: 'classify_packet' is declared here
// NOTE: a BPF program can call only functions defined in the same file, BPF helpers, and kernel functions declared 'extern ... __ksym'; define 'classify_packet' here (e.g. static __always_inline in a header)

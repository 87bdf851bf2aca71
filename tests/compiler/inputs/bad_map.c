#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, 77);
  __uint(max_entries, 1);
} strange SEC(".maps");

char _license[] SEC("license") = "GPL";

/* Included by both programs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Types shared by the XDP program (xdp_filter.c) and its loader (loader.c). */
#ifndef XDP_FILTER_H
#define XDP_FILTER_H

#include <linux/types.h>

/* Set by the loader before the program is loaded (.rodata). */
struct filter_config {
	__u16 blocked_port; /* UDP destination port, host byte order */
	__u8 enabled;
};

/* Counted by the program, read by the loader (.bss). */
struct filter_stats {
	__u64 passed;
	__u64 dropped;
};

/* The skeleton defines these types too, for loaders without this header;
 * these macros tell it that they are defined here already. */
#define EBPFC_SKEL_HAVE_struct_filter_config
#define EBPFC_SKEL_HAVE_struct_filter_stats

#endif

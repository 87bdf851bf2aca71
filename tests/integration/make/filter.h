/* Included by filter.c only. */
#define FILTER_VERDICT XDP_DROP

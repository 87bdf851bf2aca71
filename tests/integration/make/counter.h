/* Included by counter.c only. */
#define COUNTER_SLOTS 4

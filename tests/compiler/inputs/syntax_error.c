#include <linux/bpf.h>
int f( { return 1 }

#include <linux/bpf.h>
#include "no_such_header.h"

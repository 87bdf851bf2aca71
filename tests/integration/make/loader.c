/* Opens the counter object from its skeleton (no kernel needed for that)
 * and prints the size of its global counters. */
#include <stdio.h>

#include "counter.skel.h"

int main(void)
{
	struct counter *skel = counter__open();

	if (!skel)
		return 1;
	printf("counter: %zu bytes of counters\n", sizeof(skel->bss->packets));
	counter__destroy(skel);
	return 0;
}

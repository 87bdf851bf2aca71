/* Uses the skeleton of skeleton_types.c: writes .rodata through the typed
 * pointer before load, runs the program once with BPF_PROG_TEST_RUN and
 * checks what it copied into .bss and .data and the map, as the host's C
 * compiler declared it from the skeleton.
 * Usage: skeleton_loader OBJECT  (the object the skeleton embeds, compared
 * byte for byte). Exit status 77 when the kernel refuses bpf(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "skeleton_types.skel.h"

static int failures;

#define CHECK(condition)                                                         \
	do {                                                                     \
		if (!(condition)) {                                              \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #condition); \
			failures++;                                              \
		}                                                                \
	} while (0)

static int same_as_file(const void *bytes, size_t size, const char *path)
{
	static unsigned char file[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(file, 1, sizeof(file), f);
	fclose(f);
	return n == size && memcmp(file, bytes, size) == 0;
}

int main(int argc, char **argv)
{
	struct skeleton_types *skel;
	unsigned char packet[64] = {0};
	size_t size = 0;
	const void *embedded = skeleton_types__elf_bytes(&size);
	__u32 key = 0;
	struct pair first;
	int probe, err;

	CHECK(argc == 2 && same_as_file(embedded, size, argv[1]));

	probe = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (probe <= 0) {
		printf("SKIPPED: the kernel refuses to load XDP programs here (%s)\n",
		       probe < 0 ? strerror(-probe) : "XDP not supported");
		return 77;
	}

	skel = skeleton_types__open();
	if (!skel) {
		fprintf(stderr, "open: %s\n", strerror(errno));
		return 1;
	}
	/* The initial values from the object are visible before load. */
	CHECK(skel->rodata->settings.mode == MODE_COUNT);
	CHECK(skel->rodata->settings.limit == 10);
	CHECK(strcmp(skel->rodata->settings.name, "default") == 0);
	CHECK(skel->data->counter == 7);
	CHECK(skel->rodata->multiplier == 3);

	skel->rodata->settings.mode = MODE_DROP;
	skel->rodata->settings.point.x = 11;
	skel->rodata->settings.point.y = 12;
	skel->rodata->settings.pairs[0].low = 0x1234;
	skel->rodata->settings.pairs[0].high = 0x1122334455667788ULL;
	skel->rodata->settings.pairs[1].high = 0x8877665544332211ULL;
	skel->rodata->settings.limit = 99;
	skel->rodata->settings.header.kind = 5;
	skel->rodata->settings.header.length = 0xdeadbeef;
	skel->rodata->settings.flags.small = 6;
	skel->rodata->settings.flags.medium = 21;
	skel->rodata->settings.word.value = 0x01020304;
	skel->rodata->settings.name[0] = 'X';
	skel->rodata->multiplier = 5;

	err = skeleton_types__load(skel);
	if (err) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		skeleton_types__destroy(skel);
		return 1;
	}
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet));
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.copy_settings), &opts);
		CHECK(err == 0);
		CHECK(opts.retval == XDP_PASS);
	}

	CHECK(skel->bss->copy.mode == MODE_DROP);
	CHECK(skel->bss->copy.point.x == 11 && skel->bss->copy.point.y == 12);
	CHECK(skel->bss->copy.pairs[1].high == 0x8877665544332211ULL);
	CHECK(skel->bss->copy.limit == 99);
	CHECK(skel->bss->copy.header.length == 0xdeadbeef);
	CHECK(skel->bss->copy.flags.medium == 21);
	CHECK(skel->bss->copy.word.bytes[0] == 0x04);
	CHECK(skel->bss->copy.name[0] == 'X');
	CHECK(skel->bss->results[0] == 35);
	CHECK(skel->bss->results[1] == 6);
	CHECK(skel->bss->results[2] == 5);
	CHECK(skel->bss->results[3] == sizeof(struct settings));
	CHECK(skel->data->counter == 8);

	CHECK(skeleton_types__pairs__lookup(skel, &key, &first) == 0);
	CHECK(first.low == 0x1234 && first.high == 0x1122334455667788ULL);
	first.high = 42;
	CHECK(skeleton_types__pairs__update(skel, &key, &first, BPF_ANY) == 0);
	memset(&first, 0, sizeof(first));
	CHECK(skeleton_types__pairs__lookup(skel, &key, &first) == 0 && first.high == 42);
	CHECK(skel->maps.per_cpu != NULL);

	skeleton_types__destroy(skel);
	printf("%s\n", failures ? "skeleton loader: FAILED" : "skeleton loader: OK");
	return failures ? 1 : 0;
}

/* A user-space loader built on the skeleton that ebpfc_add_object(...
 * SKELETON) generates: it sets the blocked port, loads the program into the
 * kernel, runs two UDP packets through it with BPF_PROG_TEST_RUN and reads
 * the counters back through the typed section pointers and map accessors.
 *
 * Exit status: 0 when the program behaved, 1 when it did not, 77 when the
 * kernel refuses bpf() here (the reason is printed). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "xdp_filter.h"
#include "xdp_filter.skel.h"

enum { EXIT_SKIPPED = 77 };

struct udp_packet {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	char payload[4];
} __attribute__((packed));

static struct udp_packet udp_to(__u16 port)
{
	struct udp_packet p;

	memset(&p, 0, sizeof(p));
	p.eth.h_proto = htons(ETH_P_IP);
	p.ip.version = 4;
	p.ip.ihl = 5;
	p.ip.ttl = 64;
	p.ip.protocol = IPPROTO_UDP;
	p.ip.tot_len = htons(sizeof(p) - sizeof(p.eth));
	p.ip.saddr = htonl(0x0a000001); /* 10.0.0.1 */
	p.ip.daddr = htonl(0x0a000002);
	p.udp.source = htons(40000);
	p.udp.dest = htons(port);
	p.udp.len = htons(sizeof(p.udp) + sizeof(p.payload));
	return p;
}

/* The XDP verdict for one packet, or -1. */
static int run(struct xdp_filter *skel, __u16 port)
{
	struct udp_packet packet = udp_to(port);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &packet, .data_size_in = sizeof(packet));
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_filter), &opts);

	if (err) {
		fprintf(stderr, "BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		return -1;
	}
	return (int)opts.retval;
}

int main(void)
{
	const __u16 blocked = 5353;
	struct xdp_filter *skel;
	__u32 source = htonl(0x0a000001);
	__u64 drops = 0;
	int probe, pass, drop, ok;

	/* bpf() may be refused (no CAP_BPF, a sandbox, a seccomp filter). */
	probe = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (probe <= 0) {
		printf("SKIPPED: the kernel refuses to load XDP programs here (%s)\n",
		       probe < 0 ? strerror(-probe) : "XDP not supported");
		return EXIT_SKIPPED;
	}

	skel = xdp_filter__open();
	if (!skel) {
		fprintf(stderr, "opening the object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->config.blocked_port = blocked; /* .rodata: before load */
	if (xdp_filter__load(skel)) {
		fprintf(stderr, "loading the object: %s\n", strerror(errno));
		xdp_filter__destroy(skel);
		return 1;
	}

	drop = run(skel, blocked);
	pass = run(skel, 53);
	if (xdp_filter__drops_by_source__lookup(skel, &source, &drops))
		drops = 0;
	printf("UDP to %u: %s; UDP to 53: %s\n", blocked, drop == XDP_DROP ? "XDP_DROP" : "not dropped",
	       pass == XDP_PASS ? "XDP_PASS" : "not passed");
	printf("stats: passed %llu, dropped %llu; drops from 10.0.0.1: %llu\n",
	       (unsigned long long)skel->bss->stats.passed, (unsigned long long)skel->bss->stats.dropped,
	       (unsigned long long)drops);

	ok = drop == XDP_DROP && pass == XDP_PASS && skel->bss->stats.passed == 1 &&
	     skel->bss->stats.dropped == 1 && drops == 1;
	xdp_filter__destroy(skel);
	printf("%s\n", ok ? "loader: OK" : "loader: FAILED");
	return ok ? 0 : 1;
}

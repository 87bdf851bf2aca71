/* xdp_model.p4 for ebpfc: the XDP switch architecture. A parser fills the
 * headers, a switch control chooses what happens to the packet
 * (xdp_output), a deparser emits the headers that make up the outgoing
 * packet; ebpfc moves the packet start with bpf_xdp_adjust_head when the
 * emitted headers are longer or shorter than the parsed ones. The filter
 * architecture of ebpf_model.p4 is available too. Written for ebpfc; same
 * declarations as the XDP model shipped with p4c, so its programs compile
 * unchanged. */

#ifndef EBPFC_XDP_MODEL_P4
#define EBPFC_XDP_MODEL_P4

#include <core.p4>
#include <ebpf_model.p4>

/* What becomes of the packet; the values are the kernel's XDP return codes. */
enum xdp_action {
    XDP_ABORTED,   /* an error: drop and trace */
    XDP_DROP,      /* drop */
    XDP_PASS,      /* hand to the kernel's network stack */
    XDP_TX,        /* send back out of the interface it came in on */
    XDP_REDIRECT   /* send out of interface output_port */
}

struct xdp_input {
    bit<32> input_port;      /* ifindex of the receiving interface */
}

struct xdp_output {
    xdp_action output_action;
    bit<32> output_port;     /* ifindex, for XDP_REDIRECT */
}

/* The IPv4 header checksum (RFC 791) of a header with these fields and no
 * options. */
extern bit<16> ebpf_ipv4_checksum(in bit<4> version, in bit<4> ihl, in bit<8> diffserv,
                                  in bit<16> totalLen, in bit<16> identification, in bit<3> flags,
                                  in bit<13> fragOffset, in bit<8> ttl, in bit<8> protocol,
                                  in bit<32> srcAddr, in bit<32> dstAddr);

/* Incremental checksum updates (RFC 1624): the checksum `csum` after a
 * 16-bit or 32-bit field changed from `old` to `new`. */
extern bit<16> csum_replace2(in bit<16> csum, in bit<16> old, in bit<16> new);
extern bit<16> csum_replace4(in bit<16> csum, in bit<32> old, in bit<32> new);

/* Declared for compatibility; ebpfc reports a use as unsupported. */
extern bit<32> BPF_PERF_EVENT_OUTPUT();
/* The low 32 bits of bpf_ktime_get_ns(): nanoseconds since boot. */
extern bit<32> BPF_KTIME_GET_NS();

parser xdp_parse<H>(packet_in packet, out H headers);
control xdp_switch<H>(inout H headers, in xdp_input imd, out xdp_output omd);
control xdp_deparse<H>(in H headers, packet_out packet);

package xdp<H>(xdp_parse<H> p, xdp_switch<H> s, xdp_deparse<H> d);

#endif

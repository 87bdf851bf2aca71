/* ebpfFilter attached to XDP (@xdp on the instance): drops IPv4 fragments
 * and TCP segments with invalid flag combinations. Exercises fields that
 * are not byte-aligned (IPv4 flags and fragment offset, the TCP data
 * offset), slices, and a table of const entries with ternary matches. */
#include <core.p4>
#include <ebpf_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     ipv4;
    tcp_h      tcp;
}

parser Parse(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        /* Fragments other than the first carry no TCP header. */
        transition select(hdr.ipv4.fragOffset, hdr.ipv4.protocol) {
            (13w0, PROTO_TCP): parse_tcp;
            default: accept;
        }
    }
    state parse_tcp {
        packet.extract(hdr.tcp);
        verify(hdr.tcp.dataOffset >= 5, error.ParserInvalidArgument);
        transition accept;
    }
}

control FlagFilter(inout headers_t hdr, out bool pass) {
    action reject_segment() { pass = false; }
    action accept_segment() { pass = true; }

    /* flags: CWR ECE URG ACK PSH RST SYN FIN (bit 7 .. bit 0) */
    table tcp_flags {
        key = { hdr.tcp.flags : ternary; }
        actions = { reject_segment; accept_segment; }
        const default_action = accept_segment();
        const entries = {
            8w0x03 &&& 8w0x03 : reject_segment();  /* SYN+FIN */
            8w0x06 &&& 8w0x06 : reject_segment();  /* SYN+RST */
            8w0x00 &&& 8w0xff : reject_segment();  /* no flag at all */
            8w0x29 &&& 8w0x29 : reject_segment();  /* "Christmas tree": URG+PSH+FIN */
        }
    }

    apply {
        pass = true;
        if (!hdr.ipv4.isValid()) {
            return;
        }
        /* More fragments (the flags' lowest bit), or a fragment offset. */
        if (hdr.ipv4.flags[0:0] == 1 || hdr.ipv4.fragOffset != 0) {
            pass = false;
            return;
        }
        if (hdr.tcp.isValid()) {
            tcp_flags.apply();
        }
    }
}

@xdp
ebpfFilter(Parse(), FlagFilter()) main;

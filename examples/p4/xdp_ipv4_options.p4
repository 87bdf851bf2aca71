/* xdp: forwards IPv4 packets with options. The options are a varbit field
 * extracted with the two-argument extract ((ihl - 5) * 32 bits) and emitted
 * again behind the decremented TTL, whose checksum is updated
 * incrementally. Packets with a header length below 5 words fail verify. */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h     ethernet;
    ipv4_h         ipv4;
    ipv4_options_h options;
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
        verify(hdr.ipv4.ihl >= 5, error.HeaderTooShort);
        transition select(hdr.ipv4.ihl) {
            5: accept;
            default: parse_options;
        }
    }
    state parse_options {
        packet.extract(hdr.options, (bit<32>) (hdr.ipv4.ihl - 5) * 32);
        transition accept;
    }
}

control Forward(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    apply {
        xout.output_port = 0;
        xout.output_action = xdp_action.XDP_PASS;
        if (!hdr.ipv4.isValid() || hdr.ipv4.ttl == 0) {
            return;
        }
        bit<16> before = hdr.ipv4.ttl ++ hdr.ipv4.protocol;
        hdr.ipv4.ttl = hdr.ipv4.ttl |-| 1;
        hdr.ipv4.checksum = csum_replace2(hdr.ipv4.checksum, before, hdr.ipv4.ttl ++ hdr.ipv4.protocol);
        xout.output_action = xdp_action.XDP_TX;
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.options);
    }
}

xdp(Parse(), Forward(), Deparse()) main;

/* xdp: sends IPv4 packets back out of the interface they came in on
 * (XDP_TX) with the MAC addresses swapped and the TTL decremented; the
 * header checksum is updated incrementally (RFC 1624, csum_replace2).
 * Packets whose TTL would reach 0 are dropped, non-IPv4 frames pass to the
 * kernel. */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     ipv4;
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
        transition accept;
    }
}

control DecrementTtl(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    apply {
        xout.output_port = 0;
        if (!hdr.ipv4.isValid()) {
            xout.output_action = xdp_action.XDP_PASS;
            return;
        }
        if (hdr.ipv4.ttl <= 1) {
            xout.output_action = xdp_action.XDP_DROP;
            return;
        }
        bit<16> before = hdr.ipv4.ttl ++ hdr.ipv4.protocol;
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
        hdr.ipv4.checksum = csum_replace2(hdr.ipv4.checksum, before, hdr.ipv4.ttl ++ hdr.ipv4.protocol);
        mac_t source = hdr.ethernet.src;
        hdr.ethernet.src = hdr.ethernet.dst;
        hdr.ethernet.dst = source;
        xout.output_action = xdp_action.XDP_TX;
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
    }
}

xdp(Parse(), DecrementTtl(), Deparse()) main;

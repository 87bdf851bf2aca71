/* xdp: a UDP echo responder. Datagrams to port 7 go back to their sender
 * (XDP_TX) with Ethernet and IPv4 addresses and UDP ports swapped; both
 * checksums stay valid, as the one's-complement sums do not change. A
 * header union holds either the UDP or the ICMP header. */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

const bit<16> ECHO_PORT = 7;

header icmp_h {
    bit<8>  type;
    bit<8>  code;
    bit<16> checksum;
}

header_union l4_u {
    udp_h  udp;
    icmp_h icmp;
}

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     ipv4;
    l4_u       l4;
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
        transition select(hdr.ipv4.protocol) {
            PROTO_UDP: parse_udp;
            PROTO_ICMP: parse_icmp;
            default: accept;
        }
    }
    state parse_udp {
        packet.extract(hdr.l4.udp);
        transition accept;
    }
    state parse_icmp {
        packet.extract(hdr.l4.icmp);
        transition accept;
    }
}

control Echo(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    apply {
        xout.output_port = 0;
        xout.output_action = xdp_action.XDP_PASS;
        if (!hdr.l4.udp.isValid() || hdr.l4.udp.dstPort != ECHO_PORT) {
            return;
        }
        mac_t mac = hdr.ethernet.src;
        hdr.ethernet.src = hdr.ethernet.dst;
        hdr.ethernet.dst = mac;
        ipv4_t address = hdr.ipv4.src;
        hdr.ipv4.src = hdr.ipv4.dst;
        hdr.ipv4.dst = address;
        hdr.l4.udp.dstPort = hdr.l4.udp.srcPort;
        hdr.l4.udp.srcPort = ECHO_PORT;
        xout.output_action = xdp_action.XDP_TX;
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.l4);
    }
}

xdp(Parse(), Echo(), Deparse()) main;

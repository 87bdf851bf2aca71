/* xdp: destination NAT for TCP and UDP. A public (address, protocol, port)
 * maps to a private address and port in the hash map "Dnat_translations":
 * the program brings one initial entry (written into the map on the first
 * packet), the control plane adds and changes others. Matching packets are
 * rewritten and passed on with the IPv4 and transport checksums updated
 * incrementally (csum_replace4 for the address, which the transport
 * pseudo-header covers too, and csum_replace2 for the port). */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     ipv4;
    tcp_h      tcp;
    udp_h      udp;
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
            PROTO_TCP: parse_tcp;
            PROTO_UDP: parse_udp;
            default: accept;
        }
    }
    state parse_tcp {
        packet.extract(hdr.tcp);
        transition accept;
    }
    state parse_udp {
        packet.extract(hdr.udp);
        transition accept;
    }
}

control Dnat(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    bit<16> port = 0;

    action translate(ipv4_t address, bit<16> newPort) {
        hdr.ipv4.checksum = csum_replace4(hdr.ipv4.checksum, hdr.ipv4.dst, address);
        if (hdr.tcp.isValid()) {
            hdr.tcp.checksum = csum_replace4(hdr.tcp.checksum, hdr.ipv4.dst, address);
            hdr.tcp.checksum = csum_replace2(hdr.tcp.checksum, hdr.tcp.dstPort, newPort);
            hdr.tcp.dstPort = newPort;
        } else if (hdr.udp.checksum != 0) {
            /* A UDP checksum of zero means "none" and stays zero. */
            hdr.udp.checksum = csum_replace4(hdr.udp.checksum, hdr.ipv4.dst, address);
            hdr.udp.checksum = csum_replace2(hdr.udp.checksum, hdr.udp.dstPort, newPort);
            hdr.udp.dstPort = newPort;
        } else {
            hdr.udp.dstPort = newPort;
        }
        hdr.ipv4.dst = address;
    }

    table translations {
        key = {
            hdr.ipv4.dst      : exact;
            hdr.ipv4.protocol : exact;
            port              : exact;
        }
        actions = { translate; NoAction; }
        default_action = NoAction();
        implementation = hash_table(1024);
        entries = {
            /* 198.51.100.20, TCP port 22 -> 10.0.0.22, port 2222 */
            (0xc6336414, PROTO_TCP, 22) : translate(0x0a000016, 2222);
        }
    }

    apply {
        xout.output_port = 0;
        xout.output_action = xdp_action.XDP_PASS;
        if (hdr.tcp.isValid()) {
            port = hdr.tcp.dstPort;
        } else if (hdr.udp.isValid()) {
            port = hdr.udp.dstPort;
        } else {
            return;
        }
        translations.apply();
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.tcp);
        packet.emit(hdr.udp);
    }
}

xdp(Parse(), Dnat(), Deparse()) main;

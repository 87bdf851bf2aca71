/* xdp: an IPv4 router with a fixed routing table. Longest-prefix match on
 * the destination (const entries, compiled into the program: no
 * control-plane step), then the MAC addresses of the next hop, the TTL
 * decrement, a full header checksum (ebpf_ipv4_checksum) and XDP_REDIRECT
 * to the route's interface. Packets without a route are dropped. */
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
            default: reject;
        }
    }
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        verify(hdr.ipv4.version == 4 && hdr.ipv4.ihl == 5, error.ParserInvalidArgument);
        transition accept;
    }
}

control Route(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    action forward(bit<32> port, mac_t nextHop, mac_t self) {
        hdr.ethernet.dst = nextHop;
        hdr.ethernet.src = self;
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
        xout.output_port = port;
        xout.output_action = xdp_action.XDP_REDIRECT;
    }
    action drop() {
        xout.output_action = xdp_action.XDP_DROP;
    }

    table routes {
        key = { hdr.ipv4.dst : lpm; }
        actions = { forward; drop; }
        const default_action = drop();
        implementation = hash_table(64);
        const entries = {
            0x0a000000 &&& 0xff000000 : forward(2, 0x020000000a02, 0x020000000a01);
            0x0a010000 &&& 0xffff0000 : forward(3, 0x020000000b02, 0x020000000b01);
            0x0a010200 &&& 0xffffff00 : forward(4, 0x020000000c02, 0x020000000c01);
            0x0a010203                : drop();
        }
    }

    apply {
        xout.output_port = 0;
        if (hdr.ipv4.ttl <= 1) {
            xout.output_action = xdp_action.XDP_DROP;
            return;
        }
        routes.apply();
        hdr.ipv4.checksum = ebpf_ipv4_checksum(
            hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp ++ hdr.ipv4.ecn, hdr.ipv4.totalLen,
            hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.fragOffset, hdr.ipv4.ttl,
            hdr.ipv4.protocol, hdr.ipv4.src, hdr.ipv4.dst);
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
    }
}

xdp(Parse(), Route(), Deparse()) main;

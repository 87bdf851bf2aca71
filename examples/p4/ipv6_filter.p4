/* ebpfFilter (tc): an IPv6 firewall with compiled-in rules. Sources in a
 * blocklist of 128-bit addresses are dropped; UDP and TCP are allowed by
 * destination port ranges (const entries with range and exact matches);
 * ICMPv6 passes; anything else is dropped. */
#include <core.p4>
#include <ebpf_model.p4>
#include "headers.p4"

const bit<8> NEXT_HEADER_ICMPV6 = 58;

/* core.p4 has exact, ternary and lpm; ranges are declared here. */
match_kind { range }

struct headers_t {
    ethernet_h ethernet;
    ipv6_h     ipv6;
    tcp_h      tcp;
    udp_h      udp;
}

struct l4_t {
    bit<16> dstPort;
}

parser Parse(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_IPV6: parse_ipv6;
            default: reject;
        }
    }
    state parse_ipv6 {
        packet.extract(hdr.ipv6);
        transition select(hdr.ipv6.nextHeader) {
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

control Firewall(inout headers_t hdr, out bool pass) {
    l4_t l4;

    action block() { pass = false; }
    action allow() { pass = true; }

    table blocked_sources {
        key = { hdr.ipv6.src : exact; }
        actions = { block; NoAction; }
        const default_action = NoAction();
        const entries = {
            128w0x20010db8000000000000000000000bad : block();
            128w0xfe800000000000000000000000000666 : block();
        }
    }

    table services {
        key = {
            hdr.ipv6.nextHeader : exact;
            l4.dstPort          : range;
        }
        actions = { allow; block; }
        const default_action = block();
        const entries = {
            (PROTO_TCP, 22 .. 22)       : allow();
            (PROTO_TCP, 80 .. 81)       : allow();
            (PROTO_UDP, 53 .. 53)       : allow();
            (PROTO_UDP, 33434 .. 33534) : allow();  /* traceroute */
        }
    }

    apply {
        pass = false;
        if (blocked_sources.apply().hit) {
            return;
        }
        if (hdr.ipv6.nextHeader == NEXT_HEADER_ICMPV6) {
            pass = true;
            return;
        }
        if (hdr.tcp.isValid()) {
            l4.dstPort = hdr.tcp.dstPort;
        } else if (hdr.udp.isValid()) {
            l4.dstPort = hdr.udp.dstPort;
        } else {
            return;
        }
        services.apply();
    }
}

ebpfFilter(Parse(), Firewall()) main;

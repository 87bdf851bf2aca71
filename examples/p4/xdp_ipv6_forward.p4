/* xdp: IPv6 forwarding. Routes are installed by the control plane in the
 * LPM trie "Forward_routes" (128-bit keys in network byte order); a route
 * rewrites the MAC addresses, decrements the hop limit and redirects to
 * its interface. Traffic classes (DSCP) listed in the array map
 * "Forward_dscp_policy" may be dropped. */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    ipv6_h     ipv6;
}

parser Parse(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_IPV6: parse_ipv6;
            default: accept;
        }
    }
    state parse_ipv6 {
        packet.extract(hdr.ipv6);
        transition accept;
    }
}

control Forward(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    bit<32> dscp = 0;

    action route(bit<32> port, mac_t nextHop, mac_t self) {
        hdr.ethernet.dst = nextHop;
        hdr.ethernet.src = self;
        hdr.ipv6.hopLimit = hdr.ipv6.hopLimit - 1;
        xout.output_port = port;
        xout.output_action = xdp_action.XDP_REDIRECT;
    }
    action unreachable() {
        xout.output_action = xdp_action.XDP_DROP;
    }
    action drop_class() {
        xout.output_action = xdp_action.XDP_DROP;
    }

    table routes {
        key = { hdr.ipv6.dst : lpm; }
        actions = { route; unreachable; }
        const default_action = unreachable();
        implementation = hash_table(256);
    }

    table dscp_policy {
        key = { dscp : exact; }
        actions = { drop_class; NoAction; }
        const default_action = NoAction();
        implementation = array_table(64);
    }

    apply {
        xout.output_port = 0;
        xout.output_action = xdp_action.XDP_PASS;
        if (!hdr.ipv6.isValid()) {
            return;
        }
        if (hdr.ipv6.hopLimit <= 1) {
            xout.output_action = xdp_action.XDP_DROP;
            return;
        }
        dscp = (bit<32>) hdr.ipv6.trafficClass[7:2];
        if (dscp_policy.apply().hit) {
            return;
        }
        routes.apply();
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv6);
    }
}

xdp(Parse(), Forward(), Deparse()) main;

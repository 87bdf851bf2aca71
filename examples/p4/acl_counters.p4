/* ebpfFilter (tc): an exact-match ACL on (source, destination, protocol)
 * with counters. Rules come from the control plane (map "Acl_rules"); an
 * allowing rule carries the index of its counter as action data. Packets no
 * rule matches are dropped and counted by protocol; every accepted TCP or
 * UDP packet is counted by destination port in a sparse counter array. */
#include <core.p4>
#include <ebpf_model.p4>
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
            default: reject;
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

control Acl(inout headers_t hdr, out bool pass) {
    CounterArray(16, false) rule_hits;
    CounterArray(256, false) denied_by_protocol;
    CounterArray(1024, true) port_hits;

    action allow(bit<32> counter) {
        pass = true;
        rule_hits.increment(counter);
    }
    action deny() {
        pass = false;
    }
    table rules {
        key = {
            hdr.ipv4.src      : exact;
            hdr.ipv4.dst      : exact;
            hdr.ipv4.protocol : exact;
        }
        actions = { allow; deny; }
        const default_action = deny();
        implementation = hash_table(256);
    }
    apply {
        pass = false;
        if (!rules.apply().hit) {
            denied_by_protocol.increment((bit<32>) hdr.ipv4.protocol);
            return;
        }
        if (!pass) {
            return;
        }
        if (hdr.tcp.isValid()) {
            port_hits.increment((bit<32>) hdr.tcp.dstPort);
        } else if (hdr.udp.isValid()) {
            port_hits.add((bit<32>) hdr.udp.dstPort, 10);
        }
    }
}

ebpfFilter(Parse(), Acl()) main;

/* ebpfFilter (tc): classifies IPv4 traffic by destination port (a table of
 * const entries whose action_run selects the class in a switch), counts
 * each class, and drops packets that arrive after too many hops. Shows
 * enums (plain and serializable), a function, an action with an `in`
 * parameter, saturating arithmetic and hit/miss. */
#include <core.p4>
#include <ebpf_model.p4>
#include "headers.p4"

enum TrafficClass { WEB, DNS, MAIL, OTHER }
enum bit<8> Limit { MAX_HOPS = 32 }

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

/* Hops travelled, assuming the sender started at 64 (or 255 above 64). */
bit<8> hops(in bit<8> ttl) {
    if (ttl > 64) {
        return 255 |-| ttl;
    }
    return 64 |-| ttl;
}

control Classifier(inout headers_t hdr, out bool pass) {
    CounterArray(4, false) class_packets;
    CounterArray(4, false) class_bytes;
    TrafficClass traffic = TrafficClass.OTHER;
    bit<16> port = 0;

    action web() {}
    action dns() {}
    action mail() {}
    action count(in TrafficClass c) {
        bit<32> index = c == TrafficClass.WEB ? 32w0 : c == TrafficClass.DNS ? 32w1 : c == TrafficClass.MAIL ? 32w2 : 32w3;
        class_packets.increment(index);
        class_bytes.add(index, (bit<32>) hdr.ipv4.totalLen);
    }

    table services {
        key = { port : exact; }
        actions = { web; dns; mail; NoAction; }
        const default_action = NoAction();
        const entries = {
            80 : web();
            443 : web();
            53 : dns();
            25 : mail();
            587 : mail();
        }
    }

    apply {
        pass = false;
        if (hops(hdr.ipv4.ttl) > (bit<8>) Limit.MAX_HOPS) {
            return;
        }
        if (hdr.tcp.isValid()) {
            port = hdr.tcp.dstPort;
        } else if (hdr.udp.isValid()) {
            port = hdr.udp.dstPort;
        }
        switch (services.apply().action_run) {
            web: { traffic = TrafficClass.WEB; }
            dns: { traffic = TrafficClass.DNS; }
            mail: { traffic = TrafficClass.MAIL; }
            default: { traffic = TrafficClass.OTHER; }
        }
        count(traffic);
        pass = traffic != TrafficClass.MAIL || services.apply().miss == false;
    }
}

ebpfFilter(Parse(), Classifier()) main;

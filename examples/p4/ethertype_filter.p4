/* ebpfFilter (tc): passes IPv4, IPv6 and ARP frames, and the EtherTypes the
 * control plane adds to the parser's value set (map
 * "EthernetParser_extra_types", keys u16 in host order); drops the rest,
 * and frames too short for an Ethernet header. */
#include <core.p4>
#include <ebpf_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    bool       extraType;  /* the EtherType is in the value set */
}

parser EthernetParser(packet_in packet, out headers_t hdr) {
    value_set<bit<16>>(8) extra_types;

    state start {
        hdr.extraType = false;
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            extra_types: extra;
            default: accept;
        }
    }
    state extra {
        hdr.extraType = true;
        transition accept;
    }
}

control EtherTypeFilter(inout headers_t hdr, out bool pass) {
    apply {
        pass = false;
        if (hdr.ethernet.etherType == ETHERTYPE_IPV4 ||
            hdr.ethernet.etherType == ETHERTYPE_IPV6 ||
            hdr.ethernet.etherType == ETHERTYPE_ARP ||
            hdr.extraType) {
            pass = true;
        }
    }
}

ebpfFilter(EthernetParser(), EtherTypeFilter()) main;

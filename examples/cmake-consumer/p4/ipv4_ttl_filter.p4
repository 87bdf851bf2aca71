/* An XDP packet filter in P4-16 (the ebpfFilter architecture, @xdp): ARP
 * passes; IPv4 passes unless its TTL is 0 or 1; anything else is dropped. */
#include <core.p4>
#include <ebpf_model.p4>
#include "ethernet.p4"

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     ipv4;
}

parser FilterParser(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_IPV4: ipv4;
            default: accept;
        }
    }
    state ipv4 {
        packet.extract(hdr.ipv4);
        transition accept;
    }
}

control TtlFilter(inout headers_t hdr, out bool pass) {
    apply {
        pass = false;
        if (hdr.ethernet.etherType == ETHERTYPE_ARP) {
            pass = true;
        } else if (hdr.ipv4.isValid() && hdr.ipv4.ttl > 1) {
            pass = true;
        }
    }
}

@xdp
ebpfFilter(FilterParser(), TtlFilter()) main;

/* ebpfFilter (tc): admits 802.1ad/802.1Q double-tagged frames by their
 * (outer, inner) VLAN pair and single-tagged frames by their VLAN. The tags
 * are a header stack the parser fills in a loop with `next`; a third tag
 * overflows the stack (error.StackOutOfBounds) and rejects the frame. */
#include <core.p4>
#include <ebpf_model.p4>
#include "headers.p4"

struct headers_t {
    ethernet_h ethernet;
    vlan_h[2]  tags;
}

parser Parse(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_VLAN: parse_tag;
            ETHERTYPE_QINQ: parse_tag;
            default: accept;
        }
    }
    state parse_tag {
        packet.extract(hdr.tags.next);
        transition select(hdr.tags.last.etherType) {
            ETHERTYPE_VLAN: parse_tag;
            default: accept;
        }
    }
}

control TagFilter(inout headers_t hdr, out bool pass) {
    action admit() { pass = true; }

    table customer_vlans {
        key = {
            hdr.tags[0].vid : exact;
            hdr.tags[1].vid : exact;
        }
        actions = { admit; NoAction; }
        const default_action = NoAction();
        const entries = {
            (10, 100) : admit();
            (10, 101) : admit();
            (20, 100) : admit();
        }
    }

    table single_vlans {
        key = { hdr.tags[0].vid : exact; }
        actions = { admit; NoAction; }
        const default_action = NoAction();
        const entries = {
            1 : admit();
            5 : admit();
        }
    }

    apply {
        pass = false;
        if (hdr.tags[1].isValid()) {
            customer_vlans.apply();
        } else if (hdr.tags[0].isValid()) {
            single_vlans.apply();
        }
    }
}

ebpfFilter(Parse(), TagFilter()) main;

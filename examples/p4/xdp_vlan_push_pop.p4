/* xdp: VLAN push and pop. Untagged IPv4 frames get an 802.1Q tag
 * (VLAN 100, priority 5) pushed; frames tagged with VLAN 100 get their tag
 * popped; frames tagged with any other VLAN are dropped. The deparser
 * emits one header more or fewer than the parser read, so ebpfc moves the
 * packet start with bpf_xdp_adjust_head. */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

const bit<12> ACCESS_VLAN = 100;

struct headers_t {
    ethernet_h ethernet;
    vlan_h     vlan;
}

parser Parse(packet_in packet, out headers_t hdr) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_VLAN: parse_vlan;
            default: accept;
        }
    }
    state parse_vlan {
        packet.extract(hdr.vlan);
        transition accept;
    }
}

control PushPop(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    action push(bit<12> vid, bit<3> priority) {
        hdr.vlan.setValid();
        hdr.vlan.pcp = priority;
        hdr.vlan.dei = 0;
        hdr.vlan.vid = vid;
        hdr.vlan.etherType = hdr.ethernet.etherType;
        hdr.ethernet.etherType = ETHERTYPE_VLAN;
    }
    action pop() {
        hdr.ethernet.etherType = hdr.vlan.etherType;
        hdr.vlan.setInvalid();
    }
    apply {
        xout.output_port = 0;
        xout.output_action = xdp_action.XDP_PASS;
        if (hdr.vlan.isValid()) {
            if (hdr.vlan.vid == ACCESS_VLAN) {
                pop();
            } else {
                xout.output_action = xdp_action.XDP_DROP;
            }
        } else if (hdr.ethernet.etherType == ETHERTYPE_IPV4) {
            push(ACCESS_VLAN, 5);
        }
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr);
    }
}

xdp(Parse(), PushPop(), Deparse()) main;

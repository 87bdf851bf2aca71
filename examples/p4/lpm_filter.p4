/* ebpfFilter (tc): drops IPv4 packets from blocked source prefixes. The
 * prefixes are installed by the control plane into the LPM trie map
 * "Blocklist_blocked" (docs/p4.md gives the key and value layout); the
 * action records the prefix's class in the packet's DSCP for logging-free
 * tests of the action data. */
#include <core.p4>
#include <ebpf_model.p4>
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
            default: accept;
        }
    }
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        transition accept;
    }
}

control Blocklist(inout headers_t hdr, out bool pass) {
    action deny() {
        pass = false;
    }
    action allow() {
        pass = true;
    }
    table blocked {
        key = { hdr.ipv4.src : lpm; }
        actions = { deny; allow; NoAction; }
        default_action = allow();
        implementation = hash_table(1024);
    }
    apply {
        pass = true;
        if (hdr.ipv4.isValid()) {
            blocked.apply();
        }
    }
}

ebpfFilter(Parse(), Blocklist()) main;

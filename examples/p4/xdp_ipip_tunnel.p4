/* xdp: an IP-in-IP (protocol 4) tunnel endpoint. Packets from the tunnel
 * (outer destination is this endpoint) are decapsulated: the outer IPv4
 * header disappears. Packets to a remote network get an outer header to
 * that network's tunnel endpoint, with a checksum from
 * ebpf_ipv4_checksum. The deparser emits 20 bytes fewer or more than the
 * parser read; ebpfc moves the packet start for it. */
#include <core.p4>
#include <xdp_model.p4>
#include "headers.p4"

const ipv4_t LOCAL_ENDPOINT = 0xc0000201;   /* 192.0.2.1 */

struct headers_t {
    ethernet_h ethernet;
    ipv4_h     outer;
    ipv4_h     inner;
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
        /* The first IPv4 header is the outer one only if it carries IPv4. */
        ipv4_h first = packet.lookahead<ipv4_h>();
        transition select(first.protocol, first.dst) {
            (PROTO_IPIP, LOCAL_ENDPOINT): parse_tunneled;
            default: parse_plain;
        }
    }
    state parse_tunneled {
        packet.extract(hdr.outer);
        packet.extract(hdr.inner);
        transition accept;
    }
    state parse_plain {
        packet.extract(hdr.inner);
        transition accept;
    }
}

control Tunnel(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    action encapsulate(ipv4_t endpoint) {
        hdr.outer.setValid();
        hdr.outer = {4, 5, 0, 0, hdr.inner.totalLen + 20, 0, 2, 0, 64, PROTO_IPIP, 0,
                     LOCAL_ENDPOINT, endpoint};
        hdr.outer.checksum = ebpf_ipv4_checksum(
            hdr.outer.version, hdr.outer.ihl, hdr.outer.dscp ++ hdr.outer.ecn, hdr.outer.totalLen,
            hdr.outer.identification, hdr.outer.flags, hdr.outer.fragOffset, hdr.outer.ttl,
            hdr.outer.protocol, hdr.outer.src, hdr.outer.dst);
    }
    table remote_networks {
        key = { hdr.inner.dst : lpm; }
        actions = { encapsulate; NoAction; }
        const default_action = NoAction();
        const entries = {
            0xc6336400 &&& 0xffffff00 : encapsulate(0xcb007101);  /* 198.51.100.0/24 via 203.0.113.1 */
            0x0a140000 &&& 0xffff0000 : encapsulate(0xcb007102);  /* 10.20.0.0/16 via 203.0.113.2 */
        }
    }
    apply {
        xout.output_port = 0;
        xout.output_action = xdp_action.XDP_PASS;
        if (hdr.outer.isValid()) {
            hdr.outer.setInvalid();
        } else if (hdr.inner.isValid()) {
            if (remote_networks.apply().hit) {
                xout.output_action = xdp_action.XDP_TX;
            }
        }
    }
}

control Deparse(in headers_t hdr, packet_out packet) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.outer);
        packet.emit(hdr.inner);
    }
}

xdp(Parse(), Tunnel(), Deparse()) main;

/* Protocol headers shared by the P4 examples. */
#ifndef EXAMPLES_P4_HEADERS
#define EXAMPLES_P4_HEADERS

typedef bit<48> mac_t;
typedef bit<32> ipv4_t;
typedef bit<128> ipv6_t;

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_ARP  = 0x0806;
const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_QINQ = 0x88a8;
const bit<16> ETHERTYPE_IPV6 = 0x86dd;

const bit<8> PROTO_ICMP = 1;
const bit<8> PROTO_IPIP = 4;
const bit<8> PROTO_TCP  = 6;
const bit<8> PROTO_UDP  = 17;

header ethernet_h {
    mac_t   dst;
    mac_t   src;
    bit<16> etherType;
}

/* 802.1Q tag: priority, drop eligible, VLAN id (non-byte-aligned fields). */
header vlan_h {
    bit<3>  pcp;
    bit<1>  dei;
    bit<12> vid;
    bit<16> etherType;
}

header ipv4_h {
    bit<4>  version;
    bit<4>  ihl;
    bit<6>  dscp;
    bit<2>  ecn;
    bit<16> totalLen;
    bit<16> identification;
    bit<3>  flags;
    bit<13> fragOffset;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> checksum;
    ipv4_t  src;
    ipv4_t  dst;
}

/* IPv4 options: up to 40 bytes after the fixed header. */
header ipv4_options_h {
    varbit<320> options;
}

header ipv6_h {
    bit<4>   version;
    bit<8>   trafficClass;
    bit<20>  flowLabel;
    bit<16>  payloadLen;
    bit<8>   nextHeader;
    bit<8>   hopLimit;
    ipv6_t   src;
    ipv6_t   dst;
}

header tcp_h {
    bit<16> srcPort;
    bit<16> dstPort;
    bit<32> seq;
    bit<32> ack;
    bit<4>  dataOffset;
    bit<4>  reserved;
    bit<8>  flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent;
}

header udp_h {
    bit<16> srcPort;
    bit<16> dstPort;
    bit<16> length;
    bit<16> checksum;
}

#endif

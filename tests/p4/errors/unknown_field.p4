// Headers only have the fields they declare.
#include <core.p4>

header ethernet_t { bit<48> dst; bit<48> src; bit<16> etherType; }
struct headers_t { ethernet_t ethernet; }

control C(inout headers_t hdr) {
    apply {
        hdr.ethernet.type = 0x0800;
    }
}

// ERROR: 9:22: 'header ethernet_t' has no field 'type'

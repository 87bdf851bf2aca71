// A transition to a state the parser does not have.
#include <core.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

parser P(packet_in p, out headers_t hdr) {
    state start {
        p.extract(hdr.h);
        transition parse_next;
    }
}

// ERROR: 10:20: parser 'P' has no state 'parse_next'

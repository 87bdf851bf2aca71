// Every parser starts in state 'start'.
#include <core.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

parser P(packet_in p, out headers_t hdr) {
    state begin {
        p.extract(hdr.h);
        transition accept;
    }
}

// ERROR: 7:8: parser 'P' has no 'start' state

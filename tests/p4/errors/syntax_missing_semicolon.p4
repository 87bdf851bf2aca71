// A statement without its semicolon.
#include <core.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

control C(inout headers_t hdr) {
    apply {
        hdr.h.f = 1
    }
}

// ERROR: 9:20: expected ';'

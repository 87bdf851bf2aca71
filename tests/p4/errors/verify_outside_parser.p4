// verify rejects packets, which only parsers do.
#include <core.p4>
#include <ebpf_model.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

parser P(packet_in p, out headers_t hdr) {
    state start { p.extract(hdr.h); transition accept; }
}

control F(inout headers_t hdr, out bool pass) {
    apply {
        verify(hdr.h.f != 0, error.NoMatch);
        pass = true;
    }
}

ebpfFilter(P(), F()) main;

// ERROR: 14:9: verify can only be called in a parser

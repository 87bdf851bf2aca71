// A parser that applies another parser from one of its states.
#include <core.p4>
#include <ebpf_model.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

parser Inner(packet_in p, out h_t h) {
    state start { p.extract(h); transition accept; }
}

parser P(packet_in p, out headers_t hdr) {
    Inner() inner;
    state start {
        inner.apply(p, hdr.h);
        transition accept;
    }
}

control F(inout headers_t hdr, out bool pass) {
    apply { pass = hdr.h.isValid(); }
}

ebpfFilter(P(), F()) main;

// ERROR: 15:9: applying a parser from a parser state (sub-parsers) is not supported by the eBPF target

// eBPF multiplies at most 64-bit values.
#include <core.p4>
#include <ebpf_model.p4>

header h_t { bit<128> a; bit<128> b; }
struct headers_t { h_t h; }

parser P(packet_in p, out headers_t hdr) {
    state start { p.extract(hdr.h); transition accept; }
}

control F(inout headers_t hdr, out bool pass) {
    apply {
        hdr.h.a = hdr.h.a * hdr.h.b;
        pass = true;
    }
}

ebpfFilter(P(), F()) main;

// ERROR: 14:27: '*' on values wider than 64 bits is not supported by the eBPF target

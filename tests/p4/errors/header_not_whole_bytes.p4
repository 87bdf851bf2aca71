// Headers extracted from packets must be whole bytes.
#include <core.p4>
#include <ebpf_model.p4>

header odd_t { bit<4> a; bit<8> b; }
struct headers_t { odd_t odd; }

parser P(packet_in p, out headers_t hdr) {
    state start { p.extract(hdr.odd); transition accept; }
}

control F(inout headers_t hdr, out bool pass) {
    apply { pass = hdr.odd.isValid(); }
}

ebpfFilter(P(), F()) main;

// ERROR: 9:19: extracting header 'odd_t', whose fixed part is 12 bits (not whole bytes), is not supported by the eBPF target

// A ternary table filled by the control plane needs priorities the eBPF maps cannot keep.
#include <core.p4>
#include <ebpf_model.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

parser P(packet_in p, out headers_t hdr) {
    state start { p.extract(hdr.h); transition accept; }
}

control F(inout headers_t hdr, out bool pass) {
    action allow() { pass = true; }
    table t {
        key = { hdr.h.f : ternary; }
        actions = { allow; NoAction; }
        implementation = hash_table(64);
    }
    apply { pass = false; t.apply(); }
}

ebpfFilter(P(), F()) main;

// ERROR: 15:27: a 'ternary' key in a table without const entries is not supported by the eBPF target

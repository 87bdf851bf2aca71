// BPF_PERF_EVENT_OUTPUT is declared by xdp_model.p4 but has no defined behaviour.
#include <core.p4>
#include <xdp_model.p4>

header h_t { bit<8> f; }
struct headers_t { h_t h; }

parser P(packet_in p, out headers_t hdr) {
    state start { p.extract(hdr.h); transition accept; }
}

control S(inout headers_t hdr, in xdp_input xin, out xdp_output xout) {
    apply {
        bit<32> r = BPF_PERF_EVENT_OUTPUT();
        xout.output_action = xdp_action.XDP_PASS;
        xout.output_port = r;
    }
}

control D(in headers_t hdr, packet_out p) {
    apply { p.emit(hdr.h); }
}

xdp(P(), S(), D()) main;

// ERROR: 14:21: extern function 'BPF_PERF_EVENT_OUTPUT' is not supported by the eBPF target

// Only the ebpfFilter and xdp packages are eBPF architectures.
#include <core.p4>

parser P(packet_in p);
package Switch(P p);

parser MyParser(packet_in p) {
    state start { transition accept; }
}

Switch(MyParser()) main;

// ERROR: 11:20: package 'Switch' is not an architecture the eBPF target supports; use ebpfFilter (ebpf_model.p4) or xdp (xdp_model.p4)

/* ebpf_model.p4 for ebpfc: the eBPF packet-filter architecture
 * ("ebpfFilter"). A parser fills a struct of headers; a control decides
 * with its `accept` output whether the packet passes. ebpfc compiles the
 * package into one program that attaches to tc (SEC("tc"): TC_ACT_OK when
 * accepted, TC_ACT_SHOT when not) or, with @xdp on the instance, to XDP
 * (XDP_PASS / XDP_DROP). Written for ebpfc; same declarations as the model
 * p4c's eBPF backend defines, so its programs compile unchanged. */

#ifndef EBPFC_EBPF_MODEL_P4
#define EBPFC_EBPF_MODEL_P4

#include <core.p4>

/* Unsigned 32-bit counters indexed by a 32-bit number, kept in a map the
 * control plane reads: an array map, or a hash map when sparse. */
extern CounterArray {
    /* max_index: how many counters; sparse: only some will be used. */
    CounterArray(bit<32> max_index, bool sparse);
    /* Adds 1 to counter `index`. */
    void increment(in bit<32> index);
    /* Adds `value` to counter `index`. */
    void add(in bit<32> index, in bit<32> value);
}

/* Table implementations (the `implementation` property): an array map
 * indexed by the key, or a hash map. A table with an lpm key is an LPM trie
 * of that size whichever is named. */
extern array_table {
    array_table(bit<32> size);
}

extern hash_table {
    hash_table(bit<32> size);
}

/* The architecture: a parser, then a filter that sets `accept`. */
parser parse<H>(packet_in packet, out H headers);
control filter<H>(inout H headers, out bool accept);

package ebpfFilter<H>(parse<H> prs, filter<H> filt);

#endif

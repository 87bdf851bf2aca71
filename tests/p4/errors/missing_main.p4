// A program without a package instance named main compiles to nothing.
#include <core.p4>
#include <ebpf_model.p4>

header h_t { bit<8> f; }

// ERROR: 0:0: the program has no package instance named 'main'
// NOTE: instantiate the architecture, e.g. 'ebpfFilter(prs(), filt()) main;'

// globals-to-maps: runs after "optimize" (so only the globals that are still
// used are converted) and after map-format.
//
// --globals=sections (default): libbpf's convention stays: .data, .bss and
// .rodata become array maps when libbpf loads the object. Where that cannot
// work (a target kernel before 5.2, or a legacy map format whose loaders
// predate global data), each global that is left is an error naming it.
//
// --globals=maps: each section's worth of globals becomes one explicit,
// named, one-entry map, key 0 (u32), whose value holds the section's
// variables in module order, each at its natural alignment (BTF describes
// the value as a struct with one member per variable):
//   globals_bss     zero-initialized variables       BPF_MAP_TYPE_ARRAY
//   globals_data    initialized variables            see below
//   globals_rodata  constants (const, string data)   see below
//   globals_S       variables in SEC(".data.S") etc. (dots become '_')
// A section whose initial image is all zeros is an ARRAY map: the kernel
// creates it zero-filled, exactly the initial state. A section with non-zero
// initial values is a one-entry HASH map that the program fills itself, on
// first use, with BPF_NOEXIST (atomic: if programs race, one insert wins and
// all use it): the image is written into a per-CPU scratch array
// `globals_init` and inserted from there. So any loader (bpftool, iproute2,
// libbpf, ebpfvm) gets the initial values without an extra step, and user
// space may insert key 0 itself before the first run to start from other
// values.
//
// Every function that uses globals of a section looks the value up once, at
// its entry, and returns 0 (or nothing) if the lookup fails, which for these
// maps cannot happen; every access becomes an access at the variable's
// offset in that value.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class GlobalsToMapsPass : public Pass {
public:
  std::string_view name() const override { return "globals-to-maps"; }
  std::string_view summary() const override {
    return "with --globals=maps, turns global variables into one-entry maps read through lookup + null check";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

} // namespace ebpfc::passes

// --spill-locals[=N]: moves locals (static allocas) of N bytes or more out
// of the 512-byte BPF stack into one per-CPU array map with a single entry,
// so programs with large buffers fit the stack with the same behaviour.
//
// The map ("ebpfc_spill", or "ebpfc_spill_<n>" if a global of that name
// exists) is a BTF-defined BPF_MAP_TYPE_PERCPU_ARRAY, key __u32, value
// __u8[whole layout], max_entries 1, so libbpf creates it like any .maps map.
// Layout: each function's spilled locals sit consecutively in one block,
// each 8-byte aligned. Two functions' blocks never overlap when both can be
// active at the same time on a CPU: when one calls (or takes as a callback)
// the other, directly or indirectly, or when different sets of programs use
// them (programs of one object can nest, e.g. a tc program whose
// bpf_clone_redirect runs another's egress hook). Functions on disjoint call
// branches of the same programs share space.
//
// Each function with spilled locals looks up key 0 on entry and uses fixed
// offsets into the value. The lookup cannot fail (entry 0 of a per-CPU
// array always exists), but the verifier requires the null check: the null
// path returns 0 from the function (XDP_ABORTED for XDP, TC_ACT_OK for tc;
// `return` for void functions). Locals that may hold pointers stay on the
// stack: the verifier refuses to store pointers into map values. A program
// that re-enters itself on the same CPU (a tc program reached again through
// its own bpf_clone_redirect) would share the scratch space with itself and
// must not use --spill-locals.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class SpillLocals : public Pass {
public:
  std::string_view name() const override { return "spill-locals"; }
  std::string_view summary() const override {
    return "--spill-locals: move large locals into a per-CPU scratch array map";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

} // namespace ebpfc::passes

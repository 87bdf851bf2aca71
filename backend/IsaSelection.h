// The choice of eBPF ISA level for an object. A higher level is not always
// shorter: 32-bit ALU and jump forms (v3) save zero-extensions in most code
// but sometimes cost extra register moves. clang-19 defaults to v1; ebpfc
// promises no function longer than clang's, and the shortest code the target
// kernel verifies within that promise.
#pragma once

#include "ir/Module.h"
#include "ir/Target.h"

namespace ebpfc::backend {

// Generates copies of the module at every level from v1 to `highest` and
// returns the level with the fewest instructions in total among the levels
// at which no function is longer than at v1 (ties go to the higher level).
// LLVM's BPF target has one subtarget per target machine, so the level holds
// for the whole object.
ir::IsaLevel chooseIsa(const ir::Module &module, ir::IsaLevel highest, unsigned optLevel);

// Records the level on every defined function ("target-cpu"), so IR output
// shows what the object was generated for.
void setIsa(ir::Module &module, ir::IsaLevel level);

} // namespace ebpfc::backend

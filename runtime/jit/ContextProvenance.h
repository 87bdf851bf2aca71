// Which memory accesses may reach the program's context, for the unchecked
// JIT: context fields are served by the embedder's accessor (the kernel's
// context rewriting: a 32-bit load of xdp_md.data yields a 64-bit packet
// pointer), so an access that may touch the context checks its address at
// run time, and every other access is a plain load or store.
//
// The analysis follows the context pointer the way the kernel's verifier
// does, conservatively: r1 at the entry holds it; moves copy it; arithmetic
// on it keeps "maybe"; calls pass it to subprograms (callbacks and callx
// targets get "maybe" in every argument). Values loaded from memory are
// plain data unless the program ever stores a maybe-context register
// somewhere, in which case every loaded value is "maybe" too. Trusted
// (verifier-accepted) programs only dereference the context through such a
// register, so the answer is exact for them and safe for the rest.
#pragma once

#include "runtime/jit/ProgramShape.h"

#include <vector>

namespace ebpfc::runtime::jit {

// Per function (same order as `functions`), per slot: whether the load,
// store or atomic at that slot may access the context. Accesses through r10
// never do.
std::vector<std::vector<bool>> findContextAccesses(const ProgramImage &image, const CheckedProgram &checked,
                                                   const std::vector<FunctionShape> &functions);

} // namespace ebpfc::runtime::jit

// The restricted-C rules: what C allows but eBPF cannot run, checked on
// clang's AST of the code that is compiled (program functions, global
// functions, and every function they reference, transitively; unused
// static functions in headers are not checked) and reported through clang's
// own diagnostics engine, so the output looks exactly like clang's:
//   - recursion, direct or mutual (the verifier rejects call cycles);
//   - calls to functions without a body, other than BPF helpers (libbpf's
//     `static T (*bpf_x)(...) = (void *)N;` pointers), kfuncs (`extern ...
//     __ksym`), compiler builtins and abs/labs/llabs, which clang expands;
//   - calls through any other function pointer;
//   - floating point: literals, arithmetic, variables, parameters and return
//     values of floating type (expressions clang folds to an integer
//     constant, like `(int)(2.5 * 4)`, compile to no floating point and pass);
//   - variable-length arrays;
//   - memcpy/memmove/memset/memcmp/bcmp/bzero (and __builtin_ forms) with a
//     size that is not a compile-time constant (one clang folds, or one that
//     only combines constants and locals initialized with constants and
//     never written). Inside static and always_inline functions the size may
//     become constant where they are inlined, so those calls are left to the
//     IR passes (loop-mem-expand / loop-check for memcpy, memmove and
//     memset, restricted-c-calls for memcmp);
//   - more than 5 arguments, counted in registers as clang's BPF ABI passes
//     them, to a function that stays a BPF-to-BPF call.
//
// Static functions and inlining: a call with more than 5 arguments only
// works when it is inlined. So that the outcome never depends on LLVM's
// inlining heuristics, ebpfc marks every static function with more than 5
// parameters always_inline (unless it is declared noinline, which makes its
// calls errors). Calls to non-static functions with more than 5 arguments,
// and definitions of such functions, are errors: they stay real functions.
#pragma once

#include <memory>

namespace clang {
class ASTConsumer;
class DiagnosticsEngine;
} // namespace clang

namespace ebpfc::frontend {

// The checker, to run next to CodeGen (before it, so the always_inline
// marks reach CodeGen).
std::unique_ptr<clang::ASTConsumer> createRestrictedCChecker(clang::DiagnosticsEngine &diags);

} // namespace ebpfc::frontend

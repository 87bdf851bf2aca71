// The JIT engine: eBPF bytecode -> LLVM IR -> native code through LLVM ORC,
// optimized with LLVM's O2 pipeline, behind the same Engine interface as
// the interpreter. Registered as "jit" and "jit-checked" (JitRegistration.cpp).
//
//  - "jit-checked" (or "jit" with EngineOptions::checked) compiles the
//    interpreter's checked mode in: the same regions, the same fault
//    reports (instruction, access, nearest region, source line, registers,
//    call stack). The instruction budget is charged on taken backward
//    jumps only (by the loop's length in slots), so an endless loop ends in
//    an InstructionBudget fault, not necessarily at the same count as the
//    interpreter; RunResult::instructions stays 0 (not counted).
//  - "jit" is for trusted programs — ones the kernel's verifier (or an
//    equivalent) accepts. It checks nothing the verifier guarantees: memory
//    accesses are not checked (except that context fields go through the
//    embedder's accessor), there is no instruction budget (an endless loop
//    hangs), and helpers get the memory they are pointed at (below the
//    null page excepted). A program that would fault in the interpreter
//    may crash the host here.
//  Both leave unspecified what the verifier treats as uninitialized: r0
//  and r6-r9 at the start of a subprogram or a tail-called program read as
//  zero, and r1-r5 after a BPF-to-BPF call keep the caller's values (the
//  interpreter shares one register file there).
//
// Compiled code is cached by a hash of the bytecode and the variant, in
// memory (loads of the same program share it while any is alive) and, when
// the environment variable EBPFC_JIT_CACHE names a directory, on disk.
#pragma once

#include "runtime/vm/Engine.h"

#include <filesystem>

namespace ebpfc::runtime {

class JitEngine final : public Engine {
public:
  explicit JitEngine(EngineOptions options = {}) : Engine(options) {}

  std::string_view name() const override { return options().checked ? "jit-checked" : "jit"; }
  std::shared_ptr<const LoadedProgram> load(const ProgramImage &image, ExecutionEnvironment &environment,
                                            std::string &error) const override;
  RunResult run(const LoadedProgram &program, const RunInput &input) const override;
};

// How a load went: whether compiled code came from a cache, and how long
// translating, optimizing and generating code took (0 on a cache hit).
struct JitCompileInfo {
  bool fromMemoryCache = false;
  bool fromDiskCache = false;
  double compileMilliseconds = 0;
};
// For a program loaded by a JitEngine; nullopt for other engines' programs.
std::optional<JitCompileInfo> jitCompileInfo(const LoadedProgram &program);

// Where the process keeps compiled programs on disk; "" keeps them in memory
// only. Starts as $EBPFC_JIT_CACHE.
void setJitCacheDirectory(const std::filesystem::path &directory);

} // namespace ebpfc::runtime

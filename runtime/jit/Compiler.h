// Native code for a validated program: translation (Translator.h), LLVM's
// O2 pipeline, code generation for the host CPU, and linking into one
// process-wide LLVM ORC JIT, with the cache of compiled programs.
//
// Cache key: a hash of the bytecode, the variant (checked or not), the
// layout of what compiled code shares with the runtime, and the host CPU.
// Nothing environment-specific is compiled in (map references and helpers
// are read from JitProgramData::constants), so one compiled program serves
// every load of the same bytecode. In memory it lives while any loaded
// program uses it; on disk (EBPFC_JIT_CACHE=DIR) object files are kept as
// DIR/<key>.o and linked again by later processes.
#pragma once

#include "runtime/jit/JitEngine.h"
#include "runtime/jit/JitRuntime.h"
#include "runtime/jit/ProgramShape.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ebpfc::runtime::jit {

class CompiledCode {
public:
  ~CompiledCode();
  CompiledCode(const CompiledCode &) = delete;
  CompiledCode &operator=(const CompiledCode &) = delete;

  // The compiled function entered at `entry`, or nullptr if no function starts there.
  CompiledFunction function(uint32_t entry) const;

private:
  friend class Compiler;
  CompiledCode() = default;
  std::vector<std::pair<uint32_t, CompiledFunction>> functions_; // by entry slot
  // Releases the native code from the JIT (set by the compiler).
  std::function<void()> release_;
};

struct CompileRequest {
  const ProgramImage &image;
  const CheckedProgram &checked;
  const ConstantPlan &constants;
  bool checkedMode = false;
  bool contextIsPlainMemory = false; // EngineOptions::contextIsPlainMemory
};

// nullptr with `error` when code generation fails (a JIT bug or an LLVM
// resource failure, never a property of the program: checkProgram has
// refused those already).
std::shared_ptr<const CompiledCode> compileProgram(const CompileRequest &request, JitCompileInfo &info,
                                                   std::string &error);
void setDiskCacheDirectory(const std::filesystem::path &directory);

} // namespace ebpfc::runtime::jit

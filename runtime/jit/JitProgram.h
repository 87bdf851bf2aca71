// A program loaded by the JIT: its compiled code (possibly shared with other
// loads of the same bytecode) and what this load resolved — pseudo-load
// values and helpers — in the order compiled code reads them.
#pragma once

#include "runtime/jit/Compiler.h"

#include <algorithm>

namespace ebpfc::runtime::jit {

class JitProgram final : public LoadedProgram {
public:
  JitProgram(const Engine &engine, ProgramImage image, ExecutionEnvironment &environment, bool checkedMode,
             bool contextIsPlainMemory)
      : LoadedProgram(engine, std::move(image), environment), checkedMode(checkedMode),
        contextIsPlainMemory(contextIsPlainMemory) {
    data.program = this;
  }

  bool isFunctionEntry(uint64_t slot) const {
    return std::binary_search(functionEntries.begin(), functionEntries.end(), slot);
  }
  // The compiled function at slot 0 (set with `code`: looked up once, not per run).
  CompiledFunction entry = nullptr;

  const bool checkedMode;
  // Compiled with every access plain (EngineOptions::contextIsPlainMemory):
  // must not run where an accessor serves the context.
  const bool contextIsPlainMemory;
  JitProgramData data;
  std::vector<uint64_t> constants;     // data.constants points here
  std::vector<uint64_t> directHelpers; // data.directHelpers points here
  std::vector<ArrayLayout> arrayLayouts; // data.arrayLayouts points here
  std::vector<uint32_t> functionEntries;
  std::shared_ptr<const CompiledCode> code;
  JitCompileInfo compileInfo;
};

} // namespace ebpfc::runtime::jit

// The reference engine: an interpreter over pre-decoded micro-operations
// with threaded (computed-goto) dispatch. Every memory access is checked
// against the run's regions through a small region cache; accesses through
// r10 with a constant in-frame offset need no check at all.
#pragma once

#include "runtime/vm/Engine.h"

namespace ebpfc::runtime {

class Interpreter final : public Engine {
public:
  explicit Interpreter(EngineOptions options = {}) : Engine(options) {}

  std::string_view name() const override { return "interp"; }
  std::shared_ptr<const LoadedProgram> load(const ProgramImage &image, ExecutionEnvironment &environment,
                                            std::string &error) const override;
  RunResult run(const LoadedProgram &program, const RunInput &input) const override;
};

} // namespace ebpfc::runtime

// Instruction limit: each program, with the subprograms it calls (what
// libbpf loads as one program), must not have more instructions than the
// target kernel accepts (ir::Target::insnLimit: 4096 before 5.2, 1,000,000
// from 5.2), both compared as static instruction counts of the object.
#pragma once

#include "passes/Pass.h"

namespace ebpfc::passes {

class InstructionLimit : public ObjectCheck {
public:
  std::string_view name() const override { return "insn-limit"; }
  std::string_view summary() const override {
    return "instructions per program with its subprograms, against the target kernel's limit";
  }
  bool run(const ir::Module &module, const std::string &object, PassContext &context) override;
};

} // namespace ebpfc::passes

#include "passes/InstructionLimit.h"

#include "backend/ObjectAnalysis.h"

namespace ebpfc::passes {

namespace {

// The first kernel whose limit is 1,000,000 instructions.
constexpr ir::KernelVersion kMillionInstructionsKernel{5, 2};

} // namespace

bool InstructionLimit::run(const ir::Module &module, const std::string &object, PassContext &context) {
  std::string error;
  std::optional<backend::ObjectAnalysis> analysis = backend::analyzeObject(object, error);
  if (!analysis) {
    context.diags.error("cannot analyse the generated object: " + error);
    return false;
  }
  const ir::Target &target = module.target;
  bool ok = true;
  for (const ir::Program &program : module.programs) {
    std::optional<size_t> entry = analysis->find(program.name);
    if (!entry)
      continue;
    uint64_t count = analysis->programSlots(*entry);
    if (count <= target.insnLimit)
      continue;
    std::vector<ir::DiagnosticNote> notes;
    std::vector<size_t> functions = analysis->reachableFrom(*entry);
    if (functions.size() > 1) {
      std::string parts;
      for (size_t f : functions)
        parts += (parts.empty() ? "" : ", ") + analysis->functions[f].name + " " +
                 std::to_string(analysis->functions[f].slotCount);
      notes.push_back({{}, "counted with the subprograms it calls: " + parts});
    }
    std::string fix = "split the work into programs chained with bpf_tail_call, or unroll fewer loop iterations";
    if (target.kernel < kMillionInstructionsKernel)
      fix += ", or raise --target-kernel to " + kMillionInstructionsKernel.str() +
             " or later, where the limit is 1000000";
    notes.push_back({{}, fix});
    context.diags.error(program.loc,
                        "program '" + program.name + "' has " + std::to_string(count) +
                            " instructions, more than the limit of " + std::to_string(target.insnLimit) +
                            " for Linux " + target.kernel.str(),
                        std::move(notes));
    ok = false;
  }
  return ok;
}

} // namespace ebpfc::passes

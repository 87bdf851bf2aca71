#include "passes/HelperAvailability.h"

#include "ir/HelperTable.h"
#include "ir/SourceLocations.h"

#include <llvm/ADT/SetVector.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>

#include <set>
#include <tuple>

namespace ebpfc::passes {

namespace {

// BPF_TRACE_KPROBE_MULTI: kprobe.multi programs may call bpf_get_func_ip
// without a GPL license.
constexpr uint32_t kKprobeMultiAttachType = 42;

// The functions a program runs: its entry, what it calls, and functions whose
// address it passes on (callbacks of bpf_loop, bpf_for_each_map_elem, timers).
llvm::SetVector<llvm::Function *> reachableFunctions(llvm::Function &entry) {
  llvm::SetVector<llvm::Function *> reached;
  reached.insert(&entry);
  for (size_t next = 0; next < reached.size(); ++next)
    for (llvm::Instruction &instruction : llvm::instructions(*reached[next]))
      for (llvm::Value *operand : instruction.operands())
        if (auto *function = llvm::dyn_cast<llvm::Function>(operand->stripPointerCasts());
            function && !function->isDeclaration())
          reached.insert(function);
  return reached;
}

bool gplExempt(const ir::HelperInfo &helper, const ir::Program &program) {
  return (helper.name == "bpf_get_stackid" && program.type == ir::ProgramType::PerfEvent) ||
         (helper.name == "bpf_get_func_ip" && program.expectedAttachType == kKprobeMultiAttachType);
}

class HelperChecker {
public:
  HelperChecker(const ir::Module &module, ir::DiagnosticEngine &diags) : module_(module), diags_(diags) {}

  void check(const llvm::CallBase &call, uint64_t id, const ir::Program &program, const llvm::Function &caller) {
    ir::SourceLocation loc = ir::sourceLocationOf(call, module_.sourceFile());
    std::vector<ir::DiagnosticNote> context;
    if (caller.getName() != program.name)
      context.push_back({{}, "'" + caller.getName().str() + "' is called by program '" + program.name + "'"});

    const ir::HelperInfo *helper = id <= UINT32_MAX ? ir::findHelper(static_cast<uint32_t>(id)) : nullptr;
    if (!helper) {
      report(loc, "call to unknown helper function #" + std::to_string(id),
             withFix(context, "helper ids are BPF_FUNC_* values; Linux 6.1 defines 1 to " +
                                  std::to_string(ir::kLastHelperId) + ": check the helper's declaration"));
      return;
    }
    std::string name(helper->name);
    std::string typeName(ir::programTypeName(program.type));
    const ir::Target &target = module_.target;
    if (program.type != ir::ProgramType::Ext && !helper->allowed.contains(program.type))
      report(loc, "helper '" + name + "' is not available to program '" + program.name + "' of type " + typeName,
             withFix(context, "program types that may call " + name + " (since Linux " + helper->since.str() +
                                  "): " + ir::programTypeListText(helper->allowed) +
                                  "; call it from such a program, or use a helper " + typeName + " programs have"));
    if (target.kernel < helper->since)
      report(loc, "helper '" + name + "' needs Linux " + helper->since.str() + ", but the target kernel is " +
                      target.kernel.str(),
             withFix(context, "pass --target-kernel=" + helper->since.str() + " or later, or do without " + name));
    if (helper->gplOnly && !isGplCompatibleLicense(module_.license) && !gplExempt(*helper, program))
      report(loc,
             "helper '" + name + "' is GPL-only, but " +
                 (module_.license.empty() ? std::string("the program declares no license")
                                          : "the license \"" + module_.license + "\" is not GPL-compatible"),
             withFix(context, "declare a GPL-compatible license: char LICENSE[] SEC(\"license\") = \"GPL\";"));
  }

private:
  static std::vector<ir::DiagnosticNote> withFix(std::vector<ir::DiagnosticNote> notes, std::string fix) {
    notes.push_back({{}, std::move(fix)});
    return notes;
  }

  void report(const ir::SourceLocation &loc, std::string message, std::vector<ir::DiagnosticNote> notes) {
    // A call inlined into several programs is one finding per program, but
    // the same call reached twice by one program is reported once.
    if (reported_.insert({loc.file, loc.line, loc.column, message}).second)
      diags_.error(loc, std::move(message), std::move(notes));
  }

  const ir::Module &module_;
  ir::DiagnosticEngine &diags_;
  std::set<std::tuple<std::string, unsigned, unsigned, std::string>> reported_;
};

} // namespace

std::optional<uint64_t> helperIdOf(const llvm::CallBase &call) {
  auto *address = llvm::dyn_cast<llvm::ConstantExpr>(call.getCalledOperand());
  if (!address || address->getOpcode() != llvm::Instruction::IntToPtr)
    return std::nullopt;
  auto *id = llvm::dyn_cast<llvm::ConstantInt>(address->getOperand(0));
  if (!id)
    return std::nullopt;
  return id->getZExtValue();
}

bool isGplCompatibleLicense(std::string_view license) {
  for (std::string_view compatible :
       {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"})
    if (license == compatible)
      return true;
  return false;
}

bool HelperAvailabilityPass::run(ir::Module &module, PassContext &context) {
  unsigned errorsBefore = context.diags.errorCount();
  HelperChecker checker(module, context.diags);
  for (const ir::Program &program : module.programs) {
    llvm::Function *entry = module.llvm().getFunction(program.name);
    if (!entry || entry->isDeclaration())
      continue;
    for (llvm::Function *function : reachableFunctions(*entry))
      for (llvm::Instruction &instruction : llvm::instructions(*function))
        if (auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction))
          if (std::optional<uint64_t> id = helperIdOf(*call))
            checker.check(*call, *id, program, *function);
  }
  return context.diags.errorCount() == errorsBefore;
}

} // namespace ebpfc::passes

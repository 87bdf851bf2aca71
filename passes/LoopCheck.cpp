#include "passes/LoopCheck.h"

#include "passes/LoopFacts.h"

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <set>
#include <tuple>

namespace ebpfc::passes {

namespace {

std::string number(uint64_t value) { return std::to_string(value); }

// What the finding is about: "loop" or "'memset'".
std::string subject(const LoopFacts &facts) {
  return facts.expandedFrom.empty() ? "loop" : "'" + facts.expandedFrom + "'";
}

class LoopReporter {
public:
  LoopReporter(const ir::Module &module, PassContext &context)
      : target_(module.target), options_(context.options), diags_(context.diags) {}

  void check(const LoopFacts &facts, bool optimizationDisabled) {
    if (!target_.boundedLoops)
      reportNotUnrolled(facts, optimizationDisabled);
    else
      checkBound(facts);
  }

private:
  std::string kernel() const { return "kernel " + target_.kernel.str(); }

  std::string tooLarge(const LoopFacts &facts) const {
    return number(*facts.unrollCount()) + " iterations of about " + number(facts.iterationCost) +
           " instructions exceed the " + number(target_.insnLimit) + "-instruction limit of " + kernel();
  }

  // Kernels before 5.3: the loop had to be unrolled and was not.
  void reportNotUnrolled(const LoopFacts &facts, bool optimizationDisabled) {
    std::vector<ir::DiagnosticNote> notes{
        {{}, facts.expandedFrom.empty()
                 ? "programs for kernels before 5.3 cannot contain loops, so ebpfc unrolls every loop"
                 : "the BPF backend cannot call " + facts.expandedFrom +
                       ", so ebpfc turns it into a loop, and programs for kernels before 5.3 cannot contain loops"}};
    std::string message;
    if (optimizationDisabled) {
      message = subject(facts) + " cannot be unrolled at -O0";
      notes.push_back({{}, "compile with -O1 or higher, or pass --target-kernel=5.3 or later to keep the loop"});
    } else if (!facts.unrollCount()) {
      message = facts.expandedFrom.empty()
                    ? "loop cannot be unrolled: its trip count is not a compile-time constant"
                    : subject(facts) + " cannot be unrolled: its size is not a compile-time constant";
      notes.push_back({{}, facts.expandedFrom.empty()
                               ? "bound the loop by a constant, e.g. 'i < n && i < 64', or pass "
                                 "--target-kernel=5.3 or later to keep it as a bounded loop"
                               : "give it a constant size or clamp the size by a constant, e.g. "
                                 "'if (n > 64) n = 64;', or pass --target-kernel=5.3 or later"});
    } else if (*facts.unrolledCost() > target_.insnLimit && !facts.exactTripCount) {
      // Only an upper bound is known (e.g. from the width of a variable),
      // and it is too large to unroll to.
      message = facts.expandedFrom.empty()
                    ? "loop cannot be unrolled: its trip count is not a compile-time constant, and its bound of "
                    : subject(facts) + " cannot be unrolled: its size is not a compile-time constant, and its bound of ";
      message += number(*facts.maxTripCount) + " iterations is too large for the " + number(target_.insnLimit) +
                 "-instruction limit of " + kernel();
      notes.push_back({{}, "bound it by a smaller constant, e.g. 'i < n && i < 64', or pass --target-kernel=5.3 or "
                           "later to keep it as a bounded loop"});
    } else if (*facts.unrolledCost() > target_.insnLimit) {
      message = subject(facts) + " cannot be unrolled: " + tooLarge(facts);
      notes.push_back({{}, facts.expandedFrom.empty()
                               ? "lower the bound or move work out of the loop, or pass --target-kernel=5.3 or "
                                 "later to keep it as a bounded loop"
                               : "split it into calls of at most 1024 bytes, which the backend expands inline "
                                 "(128 stores of 8 bytes), or pass --target-kernel=5.3 or later"});
    } else {
      message = subject(facts) + " with " + number(*facts.unrollCount()) + " iterations could not be unrolled";
      notes.push_back({{}, "LLVM cannot duplicate its body (e.g. it calls a function marked noduplicate); "
                           "restructure the loop, or pass --target-kernel=5.3 or later to keep it"});
    }
    report(ir::Severity::Error, facts.loc, std::move(message), std::move(notes));
  }

  // Kernels from 5.3: the verifier must be able to see the loop end.
  void checkBound(const LoopFacts &facts) {
    std::optional<uint64_t> bound = facts.unrollCount();
    if (!bound) {
      std::string message =
          facts.expandedFrom.empty()
              ? "the verifier cannot prove that this loop ends: its trip count has no constant bound"
              : "the verifier cannot prove that this " + subject(facts) + " ends: its size has no constant bound";
      std::string fix = facts.expandedFrom.empty()
                            ? "bound the loop by a constant, e.g. 'i < n && i < 64'"
                            : "the BPF backend cannot call " + facts.expandedFrom +
                                  ", so ebpfc turns it into a loop; clamp the size by a constant, e.g. "
                                  "'if (n > 64) n = 64;'";
      report(ir::Severity::Error, facts.loc, std::move(message), {{{}, std::move(fix)}});
      return;
    }
    uint64_t verifierCost = saturatingMultiply(*bound, facts.iterationCost);
    if (verifierCost > target_.insnLimit) {
      report(ir::Severity::Warning, facts.loc,
             subject(facts) + " may run " + number(*bound) + " times; at about " + number(facts.iterationCost) +
                 " instructions per iteration the verifier would exceed its limit of " +
                 number(target_.insnLimit) + " instructions",
             {{{}, "bound the loop by a smaller constant, e.g. 'i < n && i < 256' (unless the bound is a "
                   "constant the loader freezes in .rodata, which the verifier sees)"}});
      return;
    }
    if (options_.unroll == UnrollMode::Always && !facts.userNoUnroll) {
      std::string reason = *facts.unrolledCost() > target_.insnLimit ? tooLarge(facts) : "LLVM could not unroll it";
      report(ir::Severity::Warning, facts.loc,
             subject(facts) + " not unrolled: " + reason + "; it is kept as a bounded loop",
             {{{}, "lower the bound to have it unrolled, or drop --unroll=always"}});
    }
  }

  void report(ir::Severity severity, const ir::SourceLocation &loc, std::string message,
              std::vector<ir::DiagnosticNote> notes) {
    // Inlining and unrolling copy loops; report each source loop once.
    if (!reported_.insert({loc.file, loc.line, loc.column, message}).second)
      return;
    ir::Diagnostic diagnostic;
    diagnostic.severity = severity;
    diagnostic.loc = loc;
    diagnostic.message = std::move(message);
    diagnostic.notes = std::move(notes);
    diags_.report(std::move(diagnostic));
  }

  const ir::Target &target_;
  const PipelineOptions &options_;
  ir::DiagnosticEngine &diags_;
  std::set<std::tuple<std::string, unsigned, unsigned, std::string>> reported_;
};

} // namespace

bool LoopCheckPass::run(ir::Module &module, PassContext &context) {
  unsigned errorsBefore = context.diags.errorCount();
  LoopReporter reporter(module, context);
  std::vector<llvm::Function *> withLoops;
  for (llvm::Function &function : module.llvm()) {
    if (function.isDeclaration())
      continue;
    llvm::DominatorTree dominators(function);
    llvm::LoopInfo loops(dominators);
    if (!loops.empty())
      withLoops.push_back(&function);
  }
  for (llvm::Function *function : withLoops) {
    // Trip counts need loops in simplified form and induction variables in
    // registers (at -O0 they live on the stack); prepare a copy.
    llvm::ValueToValueMapTy mapping;
    llvm::Function *copy = llvm::CloneFunction(function, mapping);
    {
      promoteStackSlots(*copy);
      FunctionLoopAnalyses analyses(*copy, context.machine);
      LoopFactsBuilder facts(analyses.scalarEvolution(), analyses.costModel(), module.sourceFile());
      for (llvm::Loop *loop : analyses.loops().getLoopsInPreorder())
        reporter.check(facts.factsOf(*loop), function->hasOptNone());
    }
    copy->eraseFromParent();
  }
  return context.diags.errorCount() == errorsBefore;
}

} // namespace ebpfc::passes

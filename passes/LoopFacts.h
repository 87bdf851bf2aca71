// What the loop passes (loop-unroll, loop-check) know about a loop: where it
// is in the source, how often it can run and how many instructions one
// iteration costs. Both passes decide from the same facts, so a loop that
// loop-unroll leaves alone is reported by loop-check for the same reason.
#pragma once

#include "ir/Diagnostics.h"
#include "passes/Pass.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/IR/Dominators.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ebpfc::passes {

// Whether every loop must disappear: the target kernel has no bounded
// loops (before 5.3), or --unroll=always asks for it.
inline bool loopsMustBeUnrolled(const ir::Target &target, const PipelineOptions &options) {
  return !target.boundedLoops || options.unroll == UnrollMode::Always;
}

struct LoopFacts {
  ir::SourceLocation loc; // the loop statement (or the mem* call the loop was expanded from)
  // "memcpy", "memmove" or "memset" when loop-mem-expand made the loop from
  // such a call; empty for a loop of the source.
  std::string expandedFrom;
  // The smallest constant trip count of any exit: the loop has certainly
  // left after this many iterations, and LLVM can unroll it fully. 0: none.
  uint64_t exactTripCount = 0;
  // A constant upper bound on the trip count, saturated at UINT64_MAX.
  std::optional<uint64_t> maxTripCount;
  // Estimated BPF instructions of one iteration, with inner loops counted
  // as unrolled where they can be.
  uint64_t iterationCost = 0;
  // '#pragma nounroll' (llvm.loop.unroll.disable or unroll count 1).
  bool userNoUnroll = false;

  // How many copies a full unroll makes: the exact trip count, else the
  // upper bound; nullopt when neither is known.
  std::optional<uint64_t> unrollCount() const;
  // Estimated instructions of the fully unrolled loop (saturating).
  std::optional<uint64_t> unrolledCost() const;
};

// Computes facts for loops of one function, memoizing inner loops. The loops
// must be in LLVM's simplified form (LoopSimplify) for trip counts to be
// found.
class LoopFactsBuilder {
public:
  LoopFactsBuilder(llvm::ScalarEvolution &scalarEvolution, const llvm::TargetTransformInfo &costModel,
                   std::string mainSource)
      : scalarEvolution_(scalarEvolution), costModel_(costModel), mainSource_(std::move(mainSource)) {}

  const LoopFacts &factsOf(const llvm::Loop &loop);

private:
  llvm::ScalarEvolution &scalarEvolution_;
  const llvm::TargetTransformInfo &costModel_;
  std::string mainSource_;
  llvm::DenseMap<const llvm::Loop *, LoopFacts> memo_;
};

// The analyses loop facts need for one function, built directly (no pass
// manager). Construction puts the function's loops into simplified form,
// which changes the IR only where a loop lacks a preheader or a single
// latch; run it on a copy when the function must stay untouched.
class FunctionLoopAnalyses {
public:
  FunctionLoopAnalyses(llvm::Function &function, llvm::TargetMachine &machine);

  llvm::LoopInfo &loops() { return loops_; }
  llvm::ScalarEvolution &scalarEvolution() { return scalarEvolution_; }
  const llvm::TargetTransformInfo &costModel() const { return costModel_; }

private:
  llvm::DominatorTree dominators_;
  llvm::LoopInfo loops_;
  llvm::AssumptionCache assumptions_;
  llvm::TargetLibraryInfoImpl libraryInfoImpl_;
  llvm::TargetLibraryInfo libraryInfo_;
  llvm::TargetTransformInfo costModel_;
  llvm::ScalarEvolution scalarEvolution_;
};

// Promotes the function's scalar stack slots to registers (mem2reg), so
// that ScalarEvolution can follow induction variables of unoptimized code
// (clang's output before "optimize", or -O0). For copies made for analysis.
void promoteStackSlots(llvm::Function &function);

// The loop-ID operand loop-mem-expand adds to loops it makes from a mem*
// call: !{!"ebpfc.loop.expanded_from", !"memset"}.
inline constexpr const char *kExpandedFromTag = "ebpfc.loop.expanded_from";
llvm::MDNode *expandedFromMarker(llvm::LLVMContext &context, const std::string &intrinsicName);

// Saturating a * b.
uint64_t saturatingMultiply(uint64_t a, uint64_t b);

} // namespace ebpfc::passes

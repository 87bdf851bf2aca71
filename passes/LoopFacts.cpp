#include "passes/LoopFacts.h"

#include "ir/SourceLocations.h"

#include <llvm/Analysis/CodeMetrics.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/Analysis/TargetTransformInfo.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/PromoteMemToReg.h>

#include <limits>

namespace ebpfc::passes {

namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

std::string expandedFromName(const llvm::Loop &loop) {
  llvm::MDNode *id = loop.getLoopID();
  if (!id)
    return {};
  for (const llvm::MDOperand &operand : id->operands()) {
    auto *node = llvm::dyn_cast_or_null<llvm::MDNode>(operand.get());
    if (!node || node->getNumOperands() != 2)
      continue;
    auto *tag = llvm::dyn_cast<llvm::MDString>(node->getOperand(0));
    auto *name = llvm::dyn_cast<llvm::MDString>(node->getOperand(1));
    if (tag && name && tag->getString() == kExpandedFromTag)
      return name->getString().str();
  }
  return {};
}

uint64_t exactTripCountOf(const llvm::Loop &loop, llvm::ScalarEvolution &scalarEvolution) {
  llvm::SmallVector<llvm::BasicBlock *, 4> exiting;
  loop.getExitingBlocks(exiting);
  uint64_t best = 0;
  for (llvm::BasicBlock *block : exiting)
    if (unsigned count = scalarEvolution.getSmallConstantTripCount(&loop, block))
      if (!best || count < best)
        best = count;
  return best;
}

std::optional<uint64_t> maxTripCountOf(const llvm::Loop &loop, llvm::ScalarEvolution &scalarEvolution) {
  const llvm::SCEV *backedges = scalarEvolution.getConstantMaxBackedgeTakenCount(&loop);
  auto *constant = llvm::dyn_cast<llvm::SCEVConstant>(backedges);
  if (!constant)
    return std::nullopt;
  const llvm::APInt &value = constant->getAPInt();
  if (value.getActiveBits() > 64 || value.getZExtValue() == kSaturated)
    return kSaturated;
  return value.getZExtValue() + 1;
}

} // namespace

uint64_t saturatingMultiply(uint64_t a, uint64_t b) {
  if (a && b > kSaturated / a)
    return kSaturated;
  return a * b;
}

std::optional<uint64_t> LoopFacts::unrollCount() const {
  if (exactTripCount)
    return exactTripCount;
  return maxTripCount;
}

std::optional<uint64_t> LoopFacts::unrolledCost() const {
  std::optional<uint64_t> count = unrollCount();
  if (!count)
    return std::nullopt;
  return saturatingMultiply(*count, iterationCost);
}

const LoopFacts &LoopFactsBuilder::factsOf(const llvm::Loop &loop) {
  if (auto found = memo_.find(&loop); found != memo_.end())
    return found->second;

  LoopFacts facts;
  facts.loc = ir::sourceLocationOf(loop.getStartLoc().get(), mainSource_);
  facts.expandedFrom = expandedFromName(loop);
  facts.exactTripCount = exactTripCountOf(loop, scalarEvolution_);
  facts.maxTripCount = maxTripCountOf(loop, scalarEvolution_);
  facts.userNoUnroll = llvm::hasUnrollTransformation(&loop) == llvm::TM_SuppressedByUser;

  // The loop's own blocks, with LLVM's code-size model (the one its
  // unroller uses); inner loops at their unrolled size when they have one.
  llvm::SmallPtrSet<const llvm::Value *, 16> ephemeral;
  llvm::CodeMetrics metrics;
  for (llvm::BasicBlock *block : loop.blocks()) {
    bool inner = llvm::any_of(loop.getSubLoops(), [&](const llvm::Loop *sub) { return sub->contains(block); });
    if (!inner)
      metrics.analyzeBasicBlock(block, costModel_, ephemeral);
  }
  uint64_t cost = metrics.NumInsts.isValid() ? static_cast<uint64_t>(*metrics.NumInsts.getValue()) : 0;
  for (const llvm::Loop *inner : loop.getSubLoops()) {
    const LoopFacts &innerFacts = factsOf(*inner);
    uint64_t innerCost = innerFacts.unrolledCost().value_or(innerFacts.iterationCost);
    cost = innerCost > kSaturated - cost ? kSaturated : cost + innerCost;
  }
  facts.iterationCost = cost;
  return memo_[&loop] = std::move(facts);
}

namespace {
llvm::DominatorTree &simplifiedLoops(llvm::DominatorTree &dominators, llvm::LoopInfo &loops) {
  for (llvm::Loop *loop : loops)
    llvm::simplifyLoop(loop, &dominators, &loops, nullptr, nullptr, nullptr, /*PreserveLCSSA=*/false);
  return dominators;
}
} // namespace

FunctionLoopAnalyses::FunctionLoopAnalyses(llvm::Function &function, llvm::TargetMachine &machine)
    : dominators_(function), loops_(dominators_), assumptions_(function),
      libraryInfoImpl_(llvm::Triple(function.getParent()->getTargetTriple())),
      libraryInfo_(libraryInfoImpl_, &function), costModel_(machine.getTargetTransformInfo(function)),
      scalarEvolution_(function, libraryInfo_, assumptions_, simplifiedLoops(dominators_, loops_), loops_) {}

void promoteStackSlots(llvm::Function &function) {
  std::vector<llvm::AllocaInst *> slots;
  for (llvm::Instruction &instruction : function.getEntryBlock())
    if (auto *slot = llvm::dyn_cast<llvm::AllocaInst>(&instruction); slot && llvm::isAllocaPromotable(slot))
      slots.push_back(slot);
  if (slots.empty())
    return;
  llvm::DominatorTree dominators(function);
  llvm::PromoteMemToReg(slots, dominators);
}

llvm::MDNode *expandedFromMarker(llvm::LLVMContext &context, const std::string &intrinsicName) {
  return llvm::MDNode::get(context, {llvm::MDString::get(context, kExpandedFromTag),
                                     llvm::MDString::get(context, intrinsicName)});
}

} // namespace ebpfc::passes

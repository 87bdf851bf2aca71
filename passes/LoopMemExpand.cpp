#include "passes/LoopMemExpand.h"

#include "passes/LoopFacts.h"

#include <llvm/ADT/DenseSet.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/LowerMemIntrinsics.h>

#include <algorithm>
#include <bit>

namespace ebpfc::passes {

namespace {

// SelectionDAG's limit for the BPF target (MaxStoresPerMemcpy/-Memmove/-Memset).
constexpr uint64_t kMaxInlineStores = 128;

std::string intrinsicName(const llvm::MemIntrinsic &call) {
  if (llvm::isa<llvm::MemSetInst>(call)) return "memset";
  if (llvm::isa<llvm::MemMoveInst>(call)) return "memmove";
  return "memcpy";
}

bool needsExpansion(const llvm::MemIntrinsic &call) {
  // The .inline variants are always expanded by the backend.
  if (llvm::isa<llvm::MemCpyInlineInst>(call) || llvm::isa<llvm::MemSetInlineInst>(call))
    return false;
  return !bpfBackendExpandsInline(call);
}

void expand(llvm::MemIntrinsic &call, const llvm::TargetTransformInfo &costModel) {
  if (auto *set = llvm::dyn_cast<llvm::MemSetInst>(&call))
    llvm::expandMemSetAsLoop(set);
  else if (auto *move = llvm::dyn_cast<llvm::MemMoveInst>(&call))
    llvm::expandMemMoveAsLoop(move, costModel);
  else
    llvm::expandMemCpyAsLoop(llvm::cast<llvm::MemCpyInst>(&call), costModel);
}

struct Expansion {
  llvm::DebugLoc loc;
  std::string intrinsic;
  llvm::DenseSet<llvm::BasicBlock *> blocks; // the blocks the expansion added
};

} // namespace

bool bpfBackendExpandsInline(const llvm::MemIntrinsic &call) {
  auto *length = llvm::dyn_cast<llvm::ConstantInt>(call.getLength());
  if (!length)
    return false;
  uint64_t size = length->getZExtValue();
  // SelectionDAG stores 8 bytes at a time whatever the alignment, then the
  // tail in 4, 2 and 1 byte pieces.
  if (size / 8 + std::popcount(size % 8) <= kMaxInlineStores)
    return true;
  // The BPF target's own memcpy lowering counts units of the declared alignment.
  if (auto *copy = llvm::dyn_cast<llvm::MemCpyInst>(&call)) {
    uint64_t alignment = std::min(copy->getDestAlign().valueOrOne().value(), copy->getSourceAlign().valueOrOne().value());
    return (size + alignment - 1) / alignment <= kMaxInlineStores;
  }
  return false;
}

bool LoopMemExpandPass::run(ir::Module &module, PassContext &context) {
  for (llvm::Function &function : module.llvm()) {
    if (function.isDeclaration())
      continue;
    llvm::SmallVector<llvm::MemIntrinsic *, 4> calls;
    for (llvm::BasicBlock &block : function)
      for (llvm::Instruction &instruction : block)
        if (auto *call = llvm::dyn_cast<llvm::MemIntrinsic>(&instruction); call && needsExpansion(*call))
          calls.push_back(call);
    if (calls.empty())
      continue;

    llvm::TargetTransformInfo costModel = context.machine.getTargetTransformInfo(function);
    std::vector<Expansion> expansions;
    for (llvm::MemIntrinsic *call : calls) {
      llvm::DenseSet<llvm::Instruction *> existing;
      llvm::DenseSet<llvm::BasicBlock *> existingBlocks;
      for (llvm::BasicBlock &block : function) {
        existingBlocks.insert(&block);
        for (llvm::Instruction &instruction : block)
          existing.insert(&instruction);
      }
      Expansion expansion{call->getDebugLoc(), intrinsicName(*call), {}};
      expand(*call, costModel);
      call->eraseFromParent();
      // LLVM's expansion leaves its instructions without a location; they
      // are the call's statement.
      for (llvm::BasicBlock &block : function) {
        if (!existingBlocks.contains(&block))
          expansion.blocks.insert(&block);
        for (llvm::Instruction &instruction : block)
          if (!existing.contains(&instruction) && !instruction.getDebugLoc())
            instruction.setDebugLoc(expansion.loc);
      }
      expansions.push_back(std::move(expansion));
    }

    // Give each new loop an ID that names the call it came from.
    llvm::DominatorTree dominators(function);
    llvm::LoopInfo loops(dominators);
    for (llvm::Loop *loop : loops.getLoopsInPreorder()) {
      if (loop->getLoopID())
        continue;
      auto from = std::find_if(expansions.begin(), expansions.end(),
                               [&](const Expansion &e) { return e.blocks.contains(loop->getHeader()); });
      if (from == expansions.end())
        continue;
      llvm::LLVMContext &llvmContext = module.context();
      llvm::SmallVector<llvm::Metadata *, 3> operands{nullptr};
      if (from->loc)
        operands.push_back(from->loc.get());
      operands.push_back(expandedFromMarker(llvmContext, from->intrinsic));
      llvm::MDNode *id = llvm::MDNode::getDistinct(llvmContext, operands);
      id->replaceOperandWith(0, id);
      loop->setLoopID(id);
    }
  }
  return true;
}

} // namespace ebpfc::passes

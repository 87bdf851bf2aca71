// How P4 values are stored in memory by the lowered program. Integers of W
// bits are host-order integers of the next size of 8, 16, 32, 64 or 128
// bits (wider ones: multiples of 64); their SSA values have exactly W bits
// so arithmetic wraps where P4 says. Headers are their fields followed by a
// validity byte; a varbit is its length in bits and its bytes in network
// order; a header stack is its elements and the index of `next`.
#pragma once

#include "frontend/p4/DebugInfo.h"
#include "frontend/p4/Types.h"

#include <llvm/IR/DataLayout.h>

#include <map>

namespace llvm {
class LLVMContext;
class Type;
class StructType;
} // namespace llvm

namespace ebpfc::p4 {

struct Layout {
  llvm::Type *storage = nullptr; // the in-memory LLVM type
  uint64_t size = 0;             // bytes
  uint64_t align = 1;
  // Struct-like types and tuples: byte offset of each field; headers also
  // have validOffset; stacks nextIndexOffset; varbits lengthOffset/dataOffset.
  std::vector<uint64_t> fieldOffsets;
  uint64_t validOffset = 0;
  uint64_t nextIndexOffset = 0;
  uint64_t dataOffset = 0;
  llvm::DIType *debugType = nullptr;
};

class TypeLayouts {
public:
  TypeLayouts(llvm::LLVMContext &context, const llvm::DataLayout &dataLayout, DebugInfo &debug)
      : context_(context), dataLayout_(dataLayout), debug_(debug) {}

  const Layout &of(const Type *type);
  // The type of SSA values of a scalar P4 type: iW for bit<W>/int<W>, i1
  // for bool, i32 for error and plain enums.
  llvm::Type *valueType(const Type *type);
  // Bytes of the integer that stores W bits.
  static unsigned storageBytes(unsigned width);
  llvm::DIType *integerDebugType(unsigned width, bool isSigned);

private:
  Layout compute(const Type *type);
  Layout structLayout(const std::string &name, const std::vector<std::pair<std::string, const Type *>> &fields,
                      bool withValid, Loc loc);

  llvm::LLVMContext &context_;
  const llvm::DataLayout &dataLayout_;
  DebugInfo &debug_;
  std::map<const Type *, Layout> layouts_;
  std::map<std::string, unsigned> structNames_;
};

} // namespace ebpfc::p4

#include "frontend/p4/PacketAccess.h"

namespace ebpfc::p4 {

void PacketAccess::loadBounds() {
  llvm::IRBuilder<> &b = cx_.builder;
  // struct xdp_md { u32 data; u32 data_end; ... };
  // struct __sk_buff { ... u32 data (offset 76); u32 data_end (80); ... }
  uint64_t dataOffset = cx_.hook == Hook::Xdp ? 0 : 76;
  uint64_t endOffset = cx_.hook == Hook::Xdp ? 4 : 80;
  auto field = [&](uint64_t offset) {
    llvm::Value *value = b.CreateAlignedLoad(cx_.i32(), cx_.byteAddress(cx_.contextArgument, offset), llvm::Align(4));
    return b.CreateIntToPtr(b.CreateZExt(value, cx_.i64()), cx_.pointer());
  };
  data_ = field(dataOffset);
  dataEnd_ = field(endOffset);
}

llvm::Value *PacketAccess::length() {
  llvm::IRBuilder<> &b = cx_.builder;
  return b.CreateSub(b.CreatePtrToInt(dataEnd_, cx_.i64()), b.CreatePtrToInt(data_, cx_.i64()));
}

llvm::Value *PacketAccess::checkedPointer(llvm::Value *offset, uint64_t size, llvm::BasicBlock *fail) {
  llvm::IRBuilder<> &b = cx_.builder;
  if (!llvm::isa<llvm::ConstantInt>(offset)) {
    llvm::BasicBlock *bounded = cx_.newBlock("offset_bounded");
    b.CreateCondBr(b.CreateICmpUGT(offset, b.getInt64(kMaxOffset)), fail, bounded);
    b.SetInsertPoint(bounded);
  }
  llvm::Value *pointer = b.CreateInBoundsGEP(cx_.i8(), data_, offset);
  llvm::Value *end = b.CreateInBoundsGEP(cx_.i8(), pointer, b.getInt64(size));
  llvm::BasicBlock *inside = cx_.newBlock("in_packet");
  b.CreateCondBr(b.CreateICmpUGT(end, dataEnd_), fail, inside);
  b.SetInsertPoint(inside);
  return pointer;
}

llvm::Value *PacketAccess::readBits(llvm::Value *bytes, uint64_t bitOffset, unsigned width) {
  llvm::IRBuilder<> &b = cx_.builder;
  uint64_t first = bitOffset / 8;
  uint64_t last = (bitOffset + width - 1) / 8;
  unsigned spanBits = static_cast<unsigned>((last - first + 1) * 8);
  llvm::Type *span = b.getIntNTy(spanBits);
  llvm::Value *accumulated = nullptr;
  for (uint64_t i = first; i <= last; ++i) {
    llvm::Value *byte = b.CreateZExt(b.CreateLoad(cx_.i8(), cx_.byteAddress(bytes, i)), span);
    accumulated = accumulated ? b.CreateOr(b.CreateShl(accumulated, 8), byte) : byte;
  }
  unsigned shift = spanBits - static_cast<unsigned>(bitOffset % 8) - width;
  if (shift)
    accumulated = b.CreateLShr(accumulated, shift);
  return b.CreateTrunc(accumulated, b.getIntNTy(width));
}

void PacketAccess::writeFields(llvm::Value *bytes, const std::vector<FieldBits> &fields, uint64_t totalBytes) {
  llvm::IRBuilder<> &b = cx_.builder;
  for (uint64_t k = 0; k < totalBytes; ++k) {
    llvm::Value *byte = nullptr;
    uint64_t byteStart = 8 * k, byteEnd = 8 * k + 8;
    for (const FieldBits &f : fields) {
      uint64_t start = std::max(f.bitOffset, byteStart);
      uint64_t end = std::min(f.bitOffset + f.width, byteEnd);
      if (start >= end)
        continue;
      // Field bits [start, end) counted from the packet start; the field's
      // own bits are numbered from its most significant one.
      uint64_t dropLow = f.bitOffset + f.width - end;
      llvm::Value *segment = dropLow ? b.CreateLShr(f.value, dropLow) : f.value;
      llvm::Value *low = f.width > 8 ? b.CreateTrunc(segment, cx_.i8())
                                     : b.CreateZExt(segment, cx_.i8());
      unsigned segmentBits = static_cast<unsigned>(end - start);
      if (segmentBits < 8)
        low = b.CreateAnd(low, b.getInt8(static_cast<uint8_t>((1u << segmentBits) - 1)));
      if (byteEnd - end)
        low = b.CreateShl(low, byteEnd - end);
      byte = byte ? b.CreateOr(byte, low) : low;
    }
    b.CreateStore(byte ? byte : b.getInt8(0), cx_.byteAddress(bytes, k));
  }
}

} // namespace ebpfc::p4

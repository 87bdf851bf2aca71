// Packet memory as the verifier wants to see it: every access through a
// pointer checked against data_end first, fields decoded from and encoded to
// network byte order one byte at a time (the BPF backend has no unaligned
// wide loads), so any bit position and width works.
#pragma once

#include "frontend/p4/LoweringContext.h"

namespace ebpfc::p4 {

class PacketAccess {
public:
  explicit PacketAccess(LoweringContext &cx) : cx_(cx) {}

  // Reads data and data_end from the context (again after the packet
  // start moved).
  void loadBounds();
  // Bytes between data and data_end, as i64.
  llvm::Value *length();

  // data + offset, after branching to `fail` unless `size` bytes from there
  // are inside the packet. `offset` is an i64 byte count.
  llvm::Value *checkedPointer(llvm::Value *offset, uint64_t size, llvm::BasicBlock *fail);

  // The `width` bits at `bitOffset` from `bytes` (big-endian), as an iW.
  llvm::Value *readBits(llvm::Value *bytes, uint64_t bitOffset, unsigned width);

  struct FieldBits {
    uint64_t bitOffset;
    unsigned width;
    llvm::Value *value; // iW
  };
  // Writes the fields, which tile `totalBytes` bytes, at `bytes` in
  // network order.
  void writeFields(llvm::Value *bytes, const std::vector<FieldBits> &fields, uint64_t totalBytes);

  // Largest packet offset ever computed: packets are shorter than 64 KiB,
  // and the verifier needs a bound on variable offsets.
  static constexpr uint64_t kMaxOffset = 0xffff;

private:
  LoweringContext &cx_;
  llvm::Value *data_ = nullptr;
  llvm::Value *dataEnd_ = nullptr;
};

} // namespace ebpfc::p4

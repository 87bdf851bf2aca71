#include "runtime/maps/ElementPool.h"

#include <algorithm>
#include <cstring>

namespace ebpfc::runtime {

namespace {
// Chunks double from kFirstChunk elements up to kLargestChunk, so a map of n
// elements has O(log n) chunks and address lookups stay cheap.
constexpr uint32_t kFirstChunk = 16;
constexpr uint32_t kLargestChunk = 1u << 16;

size_t roundUp8(size_t n) { return (n + 7) & ~size_t{7}; }
} // namespace

ElementPool::ElementPool(Layout layout, size_t retiredLimit)
    : layout_(layout), keyOffset_(layout.valueStride * layout.valueCount),
      elementSize_(std::max<size_t>(8, keyOffset_ + roundUp8(layout.keySize))),
      retiredLimit_(retiredLimit) {}

bool ElementPool::grow() {
  uint32_t count = chunks_.empty() ? kFirstChunk
                                   : std::min(kLargestChunk, chunks_.back().elementCount * 2);
  auto *bytes = static_cast<uint8_t *>(std::calloc(count, elementSize_));
  if (!bytes)
    return false;
  Chunk chunk;
  chunk.bytes.reset(bytes);
  chunk.firstElement = static_cast<uint32_t>(base_.size());
  chunk.elementCount = count;
  chunkByAddress_.emplace(reinterpret_cast<uintptr_t>(bytes), static_cast<uint32_t>(chunks_.size()));
  chunks_.push_back(std::move(chunk));
  // Hand out low addresses first: free_ is used as a stack.
  for (uint32_t i = count; i-- > 0;) {
    free_.push_back(static_cast<uint32_t>(base_.size() + i));
  }
  for (uint32_t i = 0; i < count; ++i)
    base_.push_back(bytes + i * elementSize_);
  state_.resize(base_.size(), State::Free);
  return true;
}

uint32_t ElementPool::allocate() {
  uint32_t element;
  if (free_.empty() && retired_.size() > retiredLimit_) {
    element = retired_.front();
    retired_.pop_front();
  } else {
    if (free_.empty() && !grow())
      return kNone;
    element = free_.back();
    free_.pop_back();
  }
  state_[element] = State::Live;
  std::memset(base_[element], 0, elementSize_);
  return element;
}

void ElementPool::retire(uint32_t element) {
  state_[element] = State::Retired;
  retired_.push_back(element);
}

void ElementPool::reclaimRetired() {
  for (uint32_t element : retired_) {
    state_[element] = State::Free;
    free_.push_back(element);
  }
  retired_.clear();
}

void ElementPool::release(uint32_t element) {
  state_[element] = State::Free;
  free_.push_back(element);
}

bool ElementPool::findValue(const void *p, size_t len, uint8_t *&valueBegin) const {
  auto address = reinterpret_cast<uintptr_t>(p);
  auto it = chunkByAddress_.upper_bound(address);
  if (it == chunkByAddress_.begin())
    return false;
  --it;
  const Chunk &chunk = chunks_[it->second];
  uintptr_t offset = address - it->first;
  uintptr_t slot = offset / elementSize_;
  if (slot >= chunk.elementCount)
    return false;
  uint32_t element = chunk.firstElement + static_cast<uint32_t>(slot);
  if (state_[element] == State::Free)
    return false;
  uintptr_t within = offset % elementSize_;
  if (layout_.valueStride == 0 || within >= keyOffset_)
    return false;
  uintptr_t index = within / layout_.valueStride;
  uintptr_t inValue = within % layout_.valueStride;
  if (inValue >= layout_.valueSize || len > layout_.valueSize - inValue)
    return false;
  valueBegin = base_[element] + index * layout_.valueStride;
  return true;
}

} // namespace ebpfc::runtime

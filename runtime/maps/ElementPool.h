// Storage for the elements of maps that grow and shrink (hash, LRU hash, LPM
// trie, devmap-hash, hash-of-maps): fixed-size elements carved from chunks
// that never move or shrink while the map exists, so a pointer a program got
// from lookup stays inside memory the map owns however the map changes.
//
// An element is Free, Live (in the map) or Retired (removed from the map but
// possibly still referenced by a running program). Retired elements become
// Free only at reclaimRetired() (the map's quiesce()), which gives the
// kernel's RCU guarantee. When more elements are retired within one run than
// `retiredLimit`, the oldest retired one is reused early, as the kernel's
// preallocated maps reuse deleted elements at once; the memory stays the
// map's, so this can change what a stale pointer reads, never corrupt the host.
//
// Element layout: `valueCount` values of `valueSize` bytes, each at a
// `valueStride` (a multiple of 8) so values are 8-byte aligned, then the key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace ebpfc::runtime {

class ElementPool {
public:
  struct Layout {
    size_t valueSize = 0;
    size_t valueStride = 0; // >= valueSize, multiple of 8
    unsigned valueCount = 1;
    size_t keySize = 0;
  };
  static constexpr uint32_t kNone = UINT32_MAX;

  ElementPool(Layout layout, size_t retiredLimit);

  // A zero-filled element, now Live; kNone when memory is exhausted.
  uint32_t allocate();
  // A Live element leaves the map; its memory is kept until reclaimRetired().
  void retire(uint32_t element);
  void reclaimRetired();
  // Frees a Live element no program has seen (an insertion that failed).
  void release(uint32_t element);

  uint8_t *value(uint32_t element, unsigned index = 0) const {
    return base_[element] + index * layout_.valueStride;
  }
  uint8_t *key(uint32_t element) const { return base_[element] + keyOffset_; }
  size_t capacity() const { return base_.size(); }
  const Layout &layout() const { return layout_; }

  // Whether [p, p+len) lies in one value of a Live or Retired element;
  // `valueBegin` is then that value's first byte.
  bool findValue(const void *p, size_t len, uint8_t *&valueBegin) const;

private:
  enum class State : uint8_t { Free, Live, Retired };
  struct FreeDeleter {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  struct Chunk {
    std::unique_ptr<uint8_t, FreeDeleter> bytes;
    uint32_t firstElement = 0;
    uint32_t elementCount = 0;
  };
  bool grow();

  Layout layout_;
  size_t keyOffset_;
  size_t elementSize_;
  size_t retiredLimit_;
  std::vector<Chunk> chunks_;
  std::map<uintptr_t, uint32_t> chunkByAddress_; // chunk start -> index in chunks_
  std::vector<uint8_t *> base_;                   // element -> its first byte
  std::vector<State> state_;
  std::vector<uint32_t> free_;
  std::deque<uint32_t> retired_; // oldest first
};

} // namespace ebpfc::runtime

// BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): keyless maps of
// up to max_entries values, used through push/pop/peek. Pushing onto a full
// map fails with -E2BIG unless the flags say BPF_EXIST, which drops the
// oldest value (for a stack too, the kernel's rule) to make room. The user
// view maps lookup to peek, update to push and lookup-and-delete to pop.
#pragma once

#include "runtime/maps/Map.h"

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace ebpfc::runtime {

class QueueStackMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  // Values are copied out, never handed to programs by address.
  bool findValueRegion(const void *, size_t, MemoryRegion &) const override { return false; }

private:
  QueueStackMap(const MapSpec &spec, unsigned numCpus, uint8_t *storage);

  uint8_t *slot(uint64_t position) const {
    return storage_.get() + (position % spec_.maxEntries) * spec_.valueSize;
  }
  // The value pop/peek return: the oldest for a queue, the newest for a stack.
  uint64_t nextOut() const;

  void *doLookup(const void *, unsigned) override { return nullptr; }
  long doUpdate(const void *, const void *, uint64_t, unsigned) override { return -EINVAL; }
  long doRemove(const void *, unsigned) override { return -EINVAL; }
  long doPush(const void *value, uint64_t flags) override;
  long doPop(void *value) override;
  long doPeek(void *value) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *) override { return -EINVAL; }
  long doUserLookupAndDelete(const void *key, void *value) override;
  long doGetNextKey(const void *, void *) const override { return -EINVAL; }
  long peekInto(void *value) const;

  struct FreeDeleter {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> storage_;
  bool lifo_;
  uint64_t head_ = 0; // position the next push writes
  uint64_t count_ = 0;
};

} // namespace ebpfc::runtime

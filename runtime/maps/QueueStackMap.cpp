#include "runtime/maps/QueueStackMap.h"

#include "runtime/maps/MapSupport.h"

#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;

bool QueueStackMap::implements(uint32_t type) {
  return type == static_cast<uint32_t>(MT::Queue) || type == static_cast<uint32_t>(MT::Stack);
}

long QueueStackMap::check(const MapSpec &spec, std::string &reason) {
  constexpr uint32_t allowed = mapflags::kNumaNode | mapflags::kAccessMask;
  if (spec.maxEntries == 0)
    return reject(reason, -EINVAL, "max_entries must not be 0");
  if (spec.keySize != 0)
    return reject(reason, -EINVAL, "queue and stack maps have no key: key_size must be 0");
  if (spec.valueSize == 0)
    return reject(reason, -EINVAL, "value_size must not be 0");
  if (spec.flags & ~allowed)
    return reject(reason, -EINVAL, "unsupported map_flags for a queue or stack map");
  if (!programAccessFlagsOk(spec.flags))
    return reject(reason, -EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other");
  if (spec.valueSize > kKmallocMaxSize)
    return reject(reason, -E2BIG, "value_size is too large for a queue or stack map");
  uint64_t bytes = uint64_t{spec.maxEntries} * spec.valueSize;
  if (bytes > kMaxPreallocatedBytes)
    return reject(reason, -ENOMEM, "the map needs " + std::to_string(bytes) +
                                       " bytes, more than the runtime preallocates for one map");
  return 0;
}

std::unique_ptr<Map> QueueStackMap::create(const MapSpec &spec, unsigned numCpus) {
  auto *storage = static_cast<uint8_t *>(std::calloc(spec.maxEntries, spec.valueSize));
  if (!storage)
    return nullptr;
  return std::unique_ptr<Map>(new QueueStackMap(spec, numCpus, storage));
}

QueueStackMap::QueueStackMap(const MapSpec &spec, unsigned numCpus, uint8_t *storage)
    : Map(spec, numCpus), storage_(storage), lifo_(isType(spec, MT::Stack)) {}

uint64_t QueueStackMap::nextOut() const { return lifo_ ? head_ - 1 : head_ - count_; }

long QueueStackMap::doPush(const void *value, uint64_t flags) {
  if ((flags & kNoExist) || flags > kExist)
    return -EINVAL;
  if (count_ == spec_.maxEntries) {
    if (!(flags & kExist))
      return -E2BIG;
    // The slot the new value takes is the oldest value's: it is dropped.
    --count_;
  }
  std::memcpy(slot(head_), value, spec_.valueSize);
  ++head_;
  ++count_;
  return 0;
}

long QueueStackMap::peekInto(void *value) const {
  if (count_ == 0)
    return -ENOENT;
  std::memcpy(value, slot(nextOut()), spec_.valueSize);
  return 0;
}

long QueueStackMap::doPeek(void *value) { return peekInto(value); }

long QueueStackMap::doPop(void *value) {
  if (long error = peekInto(value))
    return error;
  if (lifo_)
    --head_;
  --count_;
  return 0;
}

long QueueStackMap::doUserLookup(const void *, void *value) const { return peekInto(value); }

long QueueStackMap::doUserUpdate(const void *, const void *value, uint64_t flags) { return doPush(value, flags); }

long QueueStackMap::doUserLookupAndDelete(const void *, void *value) { return doPop(value); }

} // namespace ebpfc::runtime

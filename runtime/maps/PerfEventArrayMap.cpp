#include "runtime/maps/PerfEventArrayMap.h"

#include "runtime/maps/ArrayMap.h"
#include "runtime/maps/MapSupport.h"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace ebpfc::runtime {

using namespace detail;

bool PerfEventArrayMap::implements(uint32_t type) {
  return type == static_cast<uint32_t>(ir::MapType::PerfEventArray);
}

long PerfEventArrayMap::check(const MapSpec &spec, std::string &reason) {
  return ArrayMap::checkFdArray(spec, reason);
}

std::unique_ptr<Map> PerfEventArrayMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new PerfEventArrayMap(spec, numCpus));
}

long PerfEventArrayMap::output(uint64_t flags, unsigned cpu, const void *data, uint64_t size) {
  if (flags & ~(kIndexMask | kCtxLenMask))
    return -EINVAL;
  uint64_t index = flags & kIndexMask;
  if (index == kCurrentCpu)
    index = cpu;
  if (index >= slots_.size())
    return -E2BIG;
  if (!slots_[index])
    return -ENOENT;
  if (size > kSlotCapacity - unreadBytes_[index]) {
    ++lost_;
    return -ENOSPC;
  }
  const auto *bytes = static_cast<const uint8_t *>(data);
  records_.push_back({static_cast<uint32_t>(index), std::vector<uint8_t>(bytes, bytes + size)});
  unreadBytes_[index] += size;
  return 0;
}

std::vector<PerfEventArrayMap::Record> PerfEventArrayMap::takeRecords() {
  std::fill(unreadBytes_.begin(), unreadBytes_.end(), 0);
  return std::exchange(records_, {});
}

long PerfEventArrayMap::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  if (flags != kAny)
    return -EINVAL;
  uint32_t index = readU32(key);
  if (index >= slots_.size())
    return -E2BIG;
  slots_[index] = readU32(value);
  return 0;
}

long PerfEventArrayMap::doUserDelete(const void *key) {
  uint32_t index = readU32(key);
  if (index >= slots_.size())
    return -E2BIG;
  if (!slots_[index])
    return -ENOENT;
  slots_[index].reset();
  return 0;
}

long PerfEventArrayMap::doGetNextKey(const void *key, void *nextKey) const {
  return arrayNextKey(key, nextKey, spec_.maxEntries);
}

} // namespace ebpfc::runtime

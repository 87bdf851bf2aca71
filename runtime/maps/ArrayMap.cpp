#include "runtime/maps/ArrayMap.h"

#include "runtime/maps/MapSupport.h"

#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;

bool ArrayMap::implements(uint32_t type) {
  return type == static_cast<uint32_t>(MT::Array) || type == static_cast<uint32_t>(MT::PercpuArray);
}

long ArrayMap::check(const MapSpec &spec, unsigned numCpus, std::string &reason) {
  return checkArrayShape(spec, numCpus, reason);
}

long ArrayMap::checkFdArray(const MapSpec &spec, std::string &reason) {
  if (spec.valueSize != 4)
    return reject(reason, -EINVAL, "value_size must be 4: the values are file descriptors");
  if (spec.flags & (mapflags::kRdOnlyProg | mapflags::kWrOnlyProg))
    return reject(reason, -EINVAL, "BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG are not supported for this map type");
  return checkArrayShape(spec, 1, reason);
}

long ArrayMap::checkArrayShape(const MapSpec &spec, unsigned numCpus, std::string &reason) {
  bool perCpu = isType(spec, MT::PercpuArray);
  constexpr uint32_t allowed = mapflags::kNumaNode | mapflags::kMmapable | mapflags::kAccessMask |
                               mapflags::kPreserveElems | mapflags::kInnerMap;
  if (spec.maxEntries == 0)
    return reject(reason, -EINVAL, "max_entries must not be 0");
  if (spec.keySize != 4)
    return reject(reason, -EINVAL, "key_size must be 4 for an array map");
  if (spec.valueSize == 0)
    return reject(reason, -EINVAL, "value_size must not be 0");
  if (spec.flags & ~allowed)
    return reject(reason, -EINVAL, "unsupported map_flags for an array map");
  if (!programAccessFlagsOk(spec.flags))
    return reject(reason, -EINVAL, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other");
  if (perCpu && requestsNumaNode(spec))
    return reject(reason, -EINVAL, "a per-CPU map cannot be placed on a NUMA node");
  if (!isType(spec, MT::Array) && (spec.flags & (mapflags::kMmapable | mapflags::kInnerMap)))
    return reject(reason, -EINVAL, "BPF_F_MMAPABLE and BPF_F_INNER_MAP are for plain arrays only");
  if (!isType(spec, MT::PerfEventArray) && (spec.flags & mapflags::kPreserveElems))
    return reject(reason, -EINVAL, "BPF_F_PRESERVE_ELEMS is for perf event arrays only");
  if (perCpu && roundUp8(spec.valueSize) > kPerCpuUnitSize)
    return reject(reason, -E2BIG, "a per-CPU value may not exceed 32768 bytes");
  uint64_t bytes = uint64_t{spec.maxEntries} * roundUp8(spec.valueSize) * (perCpu ? numCpus : 1);
  if (bytes > kMaxPreallocatedBytes)
    return reject(reason, -ENOMEM, "the array needs " + std::to_string(bytes) +
                                       " bytes, more than the runtime preallocates for one map");
  return 0;
}

std::unique_ptr<Map> ArrayMap::create(const MapSpec &spec, unsigned numCpus) {
  size_t count = static_cast<size_t>(spec.maxEntries) * (isType(spec, MT::PercpuArray) ? numCpus : 1);
  // calloc: zero-filled, and pages of a large array are only committed once
  // a program touches them.
  auto *storage = static_cast<uint8_t *>(std::calloc(count, roundUp8(spec.valueSize)));
  if (!storage)
    return nullptr;
  return std::unique_ptr<Map>(new ArrayMap(spec, numCpus, storage));
}

ArrayMap::ArrayMap(const MapSpec &spec, unsigned numCpus, uint8_t *storage)
    : Map(spec, numCpus), storage_(storage), stride_(roundUp8(spec.valueSize)),
      valueCount_(isPerCpu() ? numCpus : 1) {
  if (!spec_.initialValue.empty())
    std::memcpy(value(0, 0), spec_.initialValue.data(), spec_.initialValue.size());
}

void *ArrayMap::doLookup(const void *key, unsigned cpu) {
  uint32_t index = readU32(key);
  if (index >= spec_.maxEntries)
    return nullptr;
  return value(index, isPerCpu() ? cpu : 0);
}

long ArrayMap::checkUpdate(const void *key, uint64_t flags, uint32_t &index) const {
  uint64_t allowedLock = isPerCpu() ? 0 : kLock;
  if ((flags & ~allowedLock) > kExist)
    return -EINVAL;
  index = readU32(key);
  if (index >= spec_.maxEntries)
    return -E2BIG; // every element exists already; none can be added
  if (flags & kNoExist)
    return -EEXIST;
  if (!lockFlagAllowed(flags))
    return -EINVAL;
  return 0;
}

long ArrayMap::doUpdate(const void *key, const void *newValue, uint64_t flags, unsigned cpu) {
  uint32_t index;
  if (long error = checkUpdate(key, flags, index))
    return error;
  copyValueIn(value(index, isPerCpu() ? cpu : 0), newValue);
  return 0;
}

long ArrayMap::doRemove(const void *, unsigned) { return -EINVAL; }

long ArrayMap::doUserLookup(const void *key, void *out) const {
  uint32_t index = readU32(key);
  if (index >= spec_.maxEntries)
    return -ENOENT;
  if (!isPerCpu()) {
    copyValueOut(out, value(index, 0));
    return 0;
  }
  // All CPUs back to back, each with its padding to 8 bytes (as stored).
  std::memcpy(out, value(index, 0), stride_ * valueCount_);
  return 0;
}

long ArrayMap::doUserUpdate(const void *key, const void *newValue, uint64_t flags) {
  if (!lockFlagAllowed(flags))
    return -EINVAL;
  uint32_t index;
  if (long error = checkUpdate(key, flags, index))
    return error;
  if (!isPerCpu())
    copyValueIn(value(index, 0), newValue);
  else
    std::memcpy(value(index, 0), newValue, stride_ * valueCount_);
  return 0;
}

long ArrayMap::doUserDelete(const void *) { return -EINVAL; }

long ArrayMap::doGetNextKey(const void *key, void *nextKey) const {
  return arrayNextKey(key, nextKey, spec_.maxEntries);
}

bool ArrayMap::findValueRegion(const void *p, size_t len, MemoryRegion &region) const {
  auto address = reinterpret_cast<uintptr_t>(p);
  auto begin = reinterpret_cast<uintptr_t>(storage_.get());
  size_t total = static_cast<size_t>(spec_.maxEntries) * valueCount_ * stride_;
  if (address < begin || address - begin >= total)
    return false;
  size_t offset = address - begin;
  size_t inValue = offset % stride_;
  if (inValue >= spec_.valueSize || len > spec_.valueSize - inValue)
    return false;
  region.begin = storage_.get() + (offset - inValue);
  region.size = spec_.valueSize;
  region.writable = !isReadOnlyForProgram();
  return true;
}

} // namespace ebpfc::runtime

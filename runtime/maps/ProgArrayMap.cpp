#include "runtime/maps/ProgArrayMap.h"

#include "runtime/maps/ArrayMap.h"
#include "runtime/maps/MapSupport.h"

#include <cerrno>

namespace ebpfc::runtime {

using namespace detail;

bool ProgArrayMap::implements(uint32_t type) { return type == static_cast<uint32_t>(ir::MapType::ProgArray); }

long ProgArrayMap::check(const MapSpec &spec, std::string &reason) { return ArrayMap::checkFdArray(spec, reason); }

std::unique_ptr<Map> ProgArrayMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new ProgArrayMap(spec, numCpus));
}

std::optional<uint32_t> ProgArrayMap::tailCallProgram(uint32_t index) const {
  return index < slots_.size() ? slots_[index] : std::nullopt;
}

long ProgArrayMap::doUserLookup(const void *key, void *value) const {
  std::optional<uint32_t> program = tailCallProgram(readU32(key));
  if (!program)
    return -ENOENT;
  writeU32(value, *program);
  return 0;
}

long ProgArrayMap::doUserUpdate(const void *key, const void *value, uint64_t flags) {
  if (flags != kAny)
    return -EINVAL;
  uint32_t index = readU32(key);
  if (index >= slots_.size())
    return -E2BIG;
  slots_[index] = readU32(value);
  return 0;
}

long ProgArrayMap::doUserDelete(const void *key) {
  uint32_t index = readU32(key);
  if (index >= slots_.size())
    return -E2BIG;
  if (!slots_[index])
    return -ENOENT;
  slots_[index].reset();
  return 0;
}

long ProgArrayMap::doGetNextKey(const void *key, void *nextKey) const {
  return arrayNextKey(key, nextKey, spec_.maxEntries);
}

} // namespace ebpfc::runtime

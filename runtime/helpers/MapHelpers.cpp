// Map helpers: the program view of runtime/maps on the run's CPU.
#include "runtime/helpers/HelperSupport.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace ebpfc::runtime::helpers {

namespace {

// The key the program passes, checked for the map's key size; nullptr
// (after a fault) when unreadable. Keyless maps take no key.
const uint8_t *keyArgument(HelperCall &call, const Map &map, unsigned index) {
  const uint32_t size = map.spec().keySize;
  if (size == 0)
    return nullptr;
  const auto key = call.readableMemory(call.arg(index), size);
  return key ? key->data() : nullptr;
}

uint64_t lookup(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  Map *map = run ? mapArgument(call, 1) : nullptr;
  if (!map)
    return 0;
  const uint8_t *key = keyArgument(call, *map, 2);
  if (!key && map->spec().keySize)
    return 0;
  return reinterpret_cast<uint64_t>(map->lookup(key, run->cpu));
}

uint64_t lookupPerCpu(HelperCall &call) {
  Map *map = mapArgument(call, 1);
  if (!map)
    return 0;
  const uint8_t *key = keyArgument(call, *map, 2);
  if (!key && map->spec().keySize)
    return 0;
  // An absent CPU gives NULL (Map::lookup checks the range).
  const uint64_t cpu = call.arg(3);
  if (!map->isPerCpu() || cpu > UINT32_MAX)
    return 0;
  return reinterpret_cast<uint64_t>(map->lookup(key, unsigned(cpu)));
}

uint64_t update(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  Map *map = run ? mapArgument(call, 1) : nullptr;
  if (!map)
    return 0;
  const uint8_t *key = keyArgument(call, *map, 2);
  if (!key && map->spec().keySize)
    return 0;
  const auto value = call.readableMemory(call.arg(3), map->spec().valueSize);
  if (!value)
    return 0;
  return error(map->update(key, value->data(), call.arg(4), run->cpu));
}

uint64_t remove(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  Map *map = run ? mapArgument(call, 1) : nullptr;
  if (!map)
    return 0;
  const uint8_t *key = keyArgument(call, *map, 2);
  if (!key && map->spec().keySize)
    return 0;
  return error(map->remove(key, run->cpu));
}

uint64_t push(HelperCall &call) {
  Map *map = mapArgument(call, 1);
  if (!map)
    return 0;
  const auto value = call.readableMemory(call.arg(2), map->spec().valueSize);
  if (!value)
    return 0;
  return error(map->push(value->data(), call.arg(3)));
}

template <long (Map::*operation)(void *)> uint64_t popOrPeek(HelperCall &call) {
  Map *map = mapArgument(call, 1);
  if (!map)
    return 0;
  const auto value = call.writableMemory(call.arg(2), map->spec().valueSize);
  if (!value)
    return 0;
  return error((map->*operation)(value->data()));
}

// bpf_for_each_map_elem(map, callback, ctx, flags): callback(map, &key,
// &value, ctx) for each element (per-CPU maps: the run's CPU's value) until
// it returns nonzero; returns the number of callbacks made.
uint64_t forEachElement(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  Map *map = run ? mapArgument(call, 1) : nullptr;
  if (!map)
    return 0;
  if (call.arg(4) != 0)
    return error(-EINVAL);
  const uint32_t keySize = map->spec().keySize;
  if (keySize == 0)
    return error(-ENOTSUP);
  // The key lives in memory of the helper, readable by the callback only.
  std::vector<uint8_t> key(keySize), next(keySize);
  const Region keyRegion = hostRegion(key.data(), key.size(), RegionKind::Memory, "for_each_map_elem key", false);
  call.addRegion(keyRegion);
  uint64_t calls = 0;
  const uint8_t *previous = nullptr;
  while (map->getNextKey(previous, next.data()) == 0) {
    key = next;
    previous = key.data();
    void *value = map->lookup(key.data(), run->cpu);
    if (!value)
      continue; // removed by the callback meanwhile
    const uint64_t args[] = {call.arg(1), reinterpret_cast<uint64_t>(key.data()), reinterpret_cast<uint64_t>(value),
                             call.arg(3)};
    ++calls;
    const std::optional<uint64_t> result = call.callFunction(call.arg(2), args);
    if (!result)
      return 0; // the callback faulted or stopped the run
    if (*result != 0)
      break;
  }
  call.removeRegion(keyRegion.begin);
  return calls;
}

// bpf_spin_lock/unlock: runs are sequential, so locks never contend; the
// lock word must be program memory all the same.
uint64_t spinLock(HelperCall &call) {
  call.writableMemory(call.arg(1), 4);
  return 0;
}

// Fast paths for trusted code: the map argument is the Map the verifier
// proved it to be, keys and values are host pointers. Anything unusual (no
// helper context, a pointer into the null page) goes the checked way.
constexpr uint64_t kNullPage = 4096;
constexpr DirectHelperResult kDeclined{0, 0};

// The map and CPU of a keyed map operation, or nullopt to decline.
struct DirectMapCall {
  Map *map;
  const void *key;
  unsigned cpu;
};
std::optional<DirectMapCall> directMapCall(void *hostState, uint64_t mapAddress, uint64_t key) {
  if (!hostState || mapAddress < kNullPage || key < kNullPage)
    return std::nullopt;
  Map *map = reinterpret_cast<Map *>(mapAddress);
  if (map->spec().keySize == 0)
    return std::nullopt;
  return DirectMapCall{map, reinterpret_cast<const void *>(key), static_cast<HelperContext *>(hostState)->cpu};
}

DirectHelperResult directLookup(void *hostState, uint64_t mapAddress, uint64_t key, uint64_t, uint64_t, uint64_t) {
  const std::optional<DirectMapCall> call = directMapCall(hostState, mapAddress, key);
  if (!call)
    return kDeclined;
  return {reinterpret_cast<uint64_t>(call->map->lookup(call->key, call->cpu)), 1};
}

DirectHelperResult directUpdate(void *hostState, uint64_t mapAddress, uint64_t key, uint64_t value, uint64_t flags,
                                uint64_t) {
  const std::optional<DirectMapCall> call = directMapCall(hostState, mapAddress, key);
  if (!call || value < kNullPage)
    return kDeclined;
  return {error(call->map->update(call->key, reinterpret_cast<const void *>(value), flags, call->cpu)), 1};
}

DirectHelperResult directRemove(void *hostState, uint64_t mapAddress, uint64_t key, uint64_t, uint64_t, uint64_t) {
  const std::optional<DirectMapCall> call = directMapCall(hostState, mapAddress, key);
  if (!call)
    return kDeclined;
  return {error(call->map->remove(call->key, call->cpu)), 1};
}

} // namespace

void addMapHelpers(HelperRegistry &registry) {
  registry.add(1, "", lookup, directLookup, true);
  registry.add(2, "", update, directUpdate);
  registry.add(3, "", remove, directRemove);
  registry.add(87, "", push);
  registry.add(88, "", popOrPeek<&Map::pop>);
  registry.add(89, "", popOrPeek<&Map::peek>);
  registry.add(93, "", spinLock);
  registry.add(94, "", spinLock);
  registry.add(164, "", forEachElement);
  registry.add(195, "", lookupPerCpu);
}

} // namespace ebpfc::runtime::helpers

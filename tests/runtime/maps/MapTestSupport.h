// Shorthands for the map tests.
#pragma once

#include "ir/MapType.h"
#include "runtime/maps/Map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ebpfc::runtime::test {

using MT = ir::MapType;

inline MapSpec makeSpec(MT type, uint32_t keySize, uint32_t valueSize, uint32_t maxEntries, uint32_t flags = 0) {
  MapSpec spec;
  spec.name = "test";
  spec.type = static_cast<uint32_t>(type);
  spec.keySize = keySize;
  spec.valueSize = valueSize;
  spec.maxEntries = maxEntries;
  spec.flags = flags;
  return spec;
}

// Creates the map or fails the test with createMap's reason.
inline std::shared_ptr<Map> makeMap(const MapSpec &spec, unsigned numCpus = 1) {
  std::string error;
  std::shared_ptr<Map> map = createMap(spec, numCpus, error);
  EXPECT_TRUE(map) << error;
  return map;
}

inline uint32_t u32At(const void *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t u64At(const void *p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Every key getNextKey visits from the start, as u32s (4-byte keys).
inline std::vector<uint32_t> allKeys(const Map &map) {
  std::vector<uint32_t> keys;
  uint32_t key = 0, next = 0;
  const void *cursor = nullptr;
  while (map.getNextKey(cursor, &next) == 0) {
    keys.push_back(next);
    key = next;
    cursor = &key;
    if (keys.size() > 1'000'000)
      break; // a cycle: fail below rather than loop forever
  }
  return keys;
}

} // namespace ebpfc::runtime::test

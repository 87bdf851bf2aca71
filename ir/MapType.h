// eBPF map types (the kernel's enum bpf_map_type values).
#pragma once

#include "ir/KernelVersion.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ebpfc::ir {

enum class MapType : uint32_t {
  Unspec = 0,
  Hash = 1,
  Array = 2,
  ProgArray = 3,
  PerfEventArray = 4,
  PercpuHash = 5,
  PercpuArray = 6,
  StackTrace = 7,
  CgroupArray = 8,
  LruHash = 9,
  LruPercpuHash = 10,
  LpmTrie = 11,
  ArrayOfMaps = 12,
  HashOfMaps = 13,
  Devmap = 14,
  Sockmap = 15,
  Cpumap = 16,
  Xskmap = 17,
  Sockhash = 18,
  CgroupStorage = 19,
  ReuseportSockarray = 20,
  PercpuCgroupStorage = 21,
  Queue = 22,
  Stack = 23,
  SkStorage = 24,
  DevmapHash = 25,
  StructOps = 26,
  Ringbuf = 27,
  InodeStorage = 28,
  TaskStorage = 29,
  BloomFilter = 30,
  UserRingbuf = 31,
};

struct MapTypeInfo {
  MapType type;
  std::string_view name;  // e.g. "hash", "lru_percpu_hash" (bpftool's spelling)
  std::string_view enumName; // e.g. "BPF_MAP_TYPE_HASH"
  KernelVersion since;
};

// nullptr for values the kernel does not define (libbpf 1.1's set: 1..31).
const MapTypeInfo *findMapType(uint32_t value);
const MapTypeInfo *findMapType(std::string_view nameOrEnumName);

} // namespace ebpfc::ir

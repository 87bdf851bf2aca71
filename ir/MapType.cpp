#include "ir/MapType.h"

#include <array>

namespace ebpfc::ir {

namespace {
using MT = MapType;
constexpr std::array<MapTypeInfo, 31> kMapTypes = {{
    {MT::Hash, "hash", "BPF_MAP_TYPE_HASH", {3, 19}},
    {MT::Array, "array", "BPF_MAP_TYPE_ARRAY", {3, 19}},
    {MT::ProgArray, "prog_array", "BPF_MAP_TYPE_PROG_ARRAY", {4, 2}},
    {MT::PerfEventArray, "perf_event_array", "BPF_MAP_TYPE_PERF_EVENT_ARRAY", {4, 3}},
    {MT::PercpuHash, "percpu_hash", "BPF_MAP_TYPE_PERCPU_HASH", {4, 6}},
    {MT::PercpuArray, "percpu_array", "BPF_MAP_TYPE_PERCPU_ARRAY", {4, 6}},
    {MT::StackTrace, "stack_trace", "BPF_MAP_TYPE_STACK_TRACE", {4, 6}},
    {MT::CgroupArray, "cgroup_array", "BPF_MAP_TYPE_CGROUP_ARRAY", {4, 8}},
    {MT::LruHash, "lru_hash", "BPF_MAP_TYPE_LRU_HASH", {4, 10}},
    {MT::LruPercpuHash, "lru_percpu_hash", "BPF_MAP_TYPE_LRU_PERCPU_HASH", {4, 10}},
    {MT::LpmTrie, "lpm_trie", "BPF_MAP_TYPE_LPM_TRIE", {4, 11}},
    {MT::ArrayOfMaps, "array_of_maps", "BPF_MAP_TYPE_ARRAY_OF_MAPS", {4, 12}},
    {MT::HashOfMaps, "hash_of_maps", "BPF_MAP_TYPE_HASH_OF_MAPS", {4, 12}},
    {MT::Devmap, "devmap", "BPF_MAP_TYPE_DEVMAP", {4, 14}},
    {MT::Sockmap, "sockmap", "BPF_MAP_TYPE_SOCKMAP", {4, 14}},
    {MT::Cpumap, "cpumap", "BPF_MAP_TYPE_CPUMAP", {4, 15}},
    {MT::Xskmap, "xskmap", "BPF_MAP_TYPE_XSKMAP", {4, 18}},
    {MT::Sockhash, "sockhash", "BPF_MAP_TYPE_SOCKHASH", {4, 18}},
    {MT::CgroupStorage, "cgroup_storage", "BPF_MAP_TYPE_CGROUP_STORAGE", {4, 19}},
    {MT::ReuseportSockarray, "reuseport_sockarray", "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY", {4, 19}},
    {MT::PercpuCgroupStorage, "percpu_cgroup_storage", "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", {4, 20}},
    {MT::Queue, "queue", "BPF_MAP_TYPE_QUEUE", {4, 20}},
    {MT::Stack, "stack", "BPF_MAP_TYPE_STACK", {4, 20}},
    {MT::SkStorage, "sk_storage", "BPF_MAP_TYPE_SK_STORAGE", {5, 2}},
    {MT::DevmapHash, "devmap_hash", "BPF_MAP_TYPE_DEVMAP_HASH", {5, 4}},
    {MT::StructOps, "struct_ops", "BPF_MAP_TYPE_STRUCT_OPS", {5, 6}},
    {MT::Ringbuf, "ringbuf", "BPF_MAP_TYPE_RINGBUF", {5, 8}},
    {MT::InodeStorage, "inode_storage", "BPF_MAP_TYPE_INODE_STORAGE", {5, 10}},
    {MT::TaskStorage, "task_storage", "BPF_MAP_TYPE_TASK_STORAGE", {5, 11}},
    {MT::BloomFilter, "bloom_filter", "BPF_MAP_TYPE_BLOOM_FILTER", {5, 16}},
    {MT::UserRingbuf, "user_ringbuf", "BPF_MAP_TYPE_USER_RINGBUF", {6, 1}},
}};
} // namespace

const MapTypeInfo *findMapType(uint32_t value) {
  if (value == 0 || value > kMapTypes.size())
    return nullptr;
  return &kMapTypes[value - 1];
}

const MapTypeInfo *findMapType(std::string_view name) {
  for (const MapTypeInfo &info : kMapTypes)
    if (info.name == name || info.enumName == name)
      return &info;
  return nullptr;
}

} // namespace ebpfc::ir

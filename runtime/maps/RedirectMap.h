// Redirect targets for bpf_redirect_map(): BPF_MAP_TYPE_DEVMAP and
// BPF_MAP_TYPE_DEVMAP_HASH (struct bpf_devmap_val: u32 ifindex, optionally
// a program fd), BPF_MAP_TYPE_CPUMAP (struct bpf_cpumap_val: u32 qsize,
// optionally a program fd) and BPF_MAP_TYPE_XSKMAP (an AF_XDP socket fd).
//
// The runtime has no network devices, CPUs' queues or sockets: it stores the
// values user space writes, validated as far as the kernel does without
// consulting those objects (an ifindex, socket fd or program fd is accepted
// as given; a cpumap CPU must be one of the map's virtual CPUs), and hands
// them to the redirect helper through redirectTarget().
#pragma once

#include "runtime/maps/ElementPool.h"
#include "runtime/maps/HashIndex.h"
#include "runtime/maps/Map.h"

#include <vector>

namespace ebpfc::runtime {

// devmap, cpumap, xskmap: slots indexed by a u32 below max_entries.
class RedirectArrayMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  std::optional<RedirectTarget> redirectTarget(uint32_t key) const override;
  bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const override;

private:
  RedirectArrayMap(const MapSpec &spec, unsigned numCpus);

  uint8_t *slot(uint32_t index) { return values_.data() + size_t{index} * 8; }
  const uint8_t *slot(uint32_t index) const { return values_.data() + size_t{index} * 8; }

  void *doLookup(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  RedirectTarget::Kind kind_;
  std::vector<uint8_t> values_; // 8 bytes per slot (the largest value)
  std::vector<bool> occupied_;
};

// devmap-hash: the same values as a devmap, keyed by any u32 (usually the
// ifindex itself).
class DevMapHashMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  std::optional<RedirectTarget> redirectTarget(uint32_t key) const override;
  bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const override;
  void quiesce() override { pool_.reclaimRetired(); }

private:
  DevMapHashMap(const MapSpec &spec, unsigned numCpus);

  void *doLookup(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  ElementPool pool_;
  HashIndex index_;
};

} // namespace ebpfc::runtime

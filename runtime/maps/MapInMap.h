// BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: values are other
// maps. Every inner map must match the spec's inner template as the kernel's
// bpf_map_meta_equal requires: same type, key_size, value_size, map_flags
// and bpf_spin_lock placement; max_entries too for a plain array unless the
// template has BPF_F_INNER_MAP. Nesting (a map-in-map as inner map) and prog
// arrays as inner maps are refused, as by the kernel.
//
// The user view exchanges u32 map IDs (Map::id()): update takes the inner
// map's ID (the kernel takes an fd), lookup returns it (the kernel returns
// the ID too). The program view's lookup returns the inner Map*.
// Inner maps are held by shared_ptr; one replaced or deleted stays alive
// until quiesce(), since a program may still be using it.
#pragma once

#include "runtime/maps/ElementPool.h"
#include "runtime/maps/HashIndex.h"
#include "runtime/maps/Map.h"

#include <memory>
#include <vector>

namespace ebpfc::runtime {

// Validates an outer map spec including its inner template.
long checkMapInMapSpec(const MapSpec &spec, unsigned numCpus, std::string &reason);

class MapOfMaps : public Map {
public:
  static bool implements(uint32_t type);

  // The inner template with the adjustments creation applies (what inner
  // maps are compared against).
  const MapSpec &innerTemplate() const { return inner_; }
  bool accepts(const Map &inner) const;
  // Stores `inner` under `key` like a user-space update (flags, bounds and
  // compatibility checked); how a loader fills the object's initial slots.
  virtual long setInnerMap(const void *key, std::shared_ptr<Map> inner, uint64_t flags) = 0;

  bool findValueRegion(const void *, size_t, MemoryRegion &) const override { return false; }
  void quiesce() override { released_.clear(); }

protected:
  MapOfMaps(const MapSpec &spec, unsigned numCpus);

  // Keeps a map the outer map no longer references alive until quiesce().
  void release(std::shared_ptr<Map> inner) { released_.push_back(std::move(inner)); }

private:
  long doUserUpdate(const void *key, const void *value, uint64_t flags) final;

  MapSpec inner_;
  std::vector<std::shared_ptr<Map>> released_;
};

class ArrayOfMapsMap final : public MapOfMaps {
public:
  static bool implements(uint32_t type);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  long setInnerMap(const void *key, std::shared_ptr<Map> inner, uint64_t flags) override;

private:
  ArrayOfMapsMap(const MapSpec &spec, unsigned numCpus) : MapOfMaps(spec, numCpus), slots_(spec.maxEntries) {}

  void *doLookup(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  std::vector<std::shared_ptr<Map>> slots_;
};

class HashOfMapsMap final : public MapOfMaps {
public:
  static bool implements(uint32_t type);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  long setInnerMap(const void *key, std::shared_ptr<Map> inner, uint64_t flags) override;
  void quiesce() override;

private:
  HashOfMapsMap(const MapSpec &spec, unsigned numCpus);

  void *doLookup(const void *key, unsigned cpu) override;
  long doUserLookup(const void *key, void *value) const override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  ElementPool pool_; // keys only
  HashIndex index_;
  std::vector<std::shared_ptr<Map>> innerOf_; // by element
};

} // namespace ebpfc::runtime

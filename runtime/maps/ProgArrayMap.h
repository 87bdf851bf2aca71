// BPF_MAP_TYPE_PROG_ARRAY: the slots bpf_tail_call() jumps through. User
// space stores a program in a slot as a u32 — a program index of the loaded
// object, where the kernel takes a program fd — and reads it back the same
// way (the kernel reports the program's ID). Programs cannot look slots up;
// they reach them through tailCallProgram(), and the interpreter owns the
// tail-call machinery and its depth limit.
#pragma once

#include "runtime/maps/Map.h"

#include <optional>
#include <vector>

namespace ebpfc::runtime {

class ProgArrayMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  std::optional<uint32_t> tailCallProgram(uint32_t index) const override;
  bool findValueRegion(const void *, size_t, MemoryRegion &) const override { return false; }

private:
  ProgArrayMap(const MapSpec &spec, unsigned numCpus) : Map(spec, numCpus), slots_(spec.maxEntries) {}

  void *doLookup(const void *, unsigned) override { return nullptr; }
  long doUserLookup(const void *key, void *value) const override;
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  std::vector<std::optional<uint32_t>> slots_;
};

} // namespace ebpfc::runtime

// BPF_MAP_TYPE_PERF_EVENT_ARRAY as an output channel: bpf_perf_event_output()
// appends a record to the perf buffer of slot `index` (usually one slot per
// CPU), and the runtime keeps the records, in order, for a test or the CLI
// to read. User space "opens" a slot by storing any u32 in it (where the
// kernel takes a perf event fd); output to an empty slot fails with -ENOENT
// as in the kernel, so callers that want everything captured open every slot.
//
// Each slot holds at most kSlotCapacity bytes of unread records; output
// beyond that fails with -ENOSPC and counts as lost, as a full perf ring does.
// Records keep the bytes the program passed; the kernel's 8-byte alignment
// padding of raw samples is not reproduced.
#pragma once

#include "runtime/maps/Map.h"

#include <optional>
#include <vector>

namespace ebpfc::runtime {

class PerfEventArrayMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  // BPF_F_CURRENT_CPU in the index bits of the flags: the slot of the CPU
  // the program runs on.
  static constexpr uint64_t kCurrentCpu = 0xFFFFFFFFull;
  static constexpr uint64_t kIndexMask = 0xFFFFFFFFull;
  // BPF_F_CTXLEN_MASK: how many packet bytes the skb/xdp variants append;
  // the helper appends them to `data` itself.
  static constexpr uint64_t kCtxLenMask = 0xFFFFFull << 32;
  static constexpr size_t kSlotCapacity = 8u << 20;

  // bpf_perf_event_output() on CPU `cpu`.
  long output(uint64_t flags, unsigned cpu, const void *data, uint64_t size);

  struct Record {
    uint32_t index; // slot (CPU) the record went to
    std::vector<uint8_t> data;
  };
  // Takes every record not read yet, in output order.
  std::vector<Record> takeRecords();
  uint64_t lostRecords() const { return lost_; }

  bool findValueRegion(const void *, size_t, MemoryRegion &) const override { return false; }

private:
  PerfEventArrayMap(const MapSpec &spec, unsigned numCpus)
      : Map(spec, numCpus), slots_(spec.maxEntries), unreadBytes_(spec.maxEntries) {}

  void *doLookup(const void *, unsigned) override { return nullptr; }
  long doUserLookup(const void *, void *) const override { return -kENotSupp; }
  long doUserUpdate(const void *key, const void *value, uint64_t flags) override;
  long doUserDelete(const void *key) override;
  long doGetNextKey(const void *key, void *nextKey) const override;

  std::vector<std::optional<uint32_t>> slots_; // the "perf event fd" per slot
  std::vector<size_t> unreadBytes_;
  std::vector<Record> records_;
  uint64_t lost_ = 0;
};

} // namespace ebpfc::runtime

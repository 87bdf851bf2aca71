// BPF_MAP_TYPE_RINGBUF: a multi-record ring of max_entries bytes (a power
// of two and a multiple of the 4 KiB page) that programs write with
// reserve/submit/discard or output and user space reads in order.
//
// Space is accounted exactly as in the kernel: each record takes an 8-byte
// header plus its data, rounded up to 8 bytes; the producer position may run
// at most max_entries - 1 bytes ahead of the consumer, so a record that does
// not fit makes reserve return NULL and output return -EAGAIN. Records are
// kept in reservation order; consume() reads them as libbpf's ring_buffer
// consumer does: submitted records in order, discarded ones skipped (their
// space is freed all the same), stopping at the first record still reserved.
// Each record's data is stored apart rather than wrapped around one byte
// array, so a reservation is always contiguous (the kernel maps its data
// pages twice for the same effect).
#pragma once

#include "runtime/maps/Map.h"

#include <deque>
#include <map>
#include <memory>
#include <vector>

namespace ebpfc::runtime {

class RingBufMap final : public Map {
public:
  static bool implements(uint32_t type);
  static long check(const MapSpec &spec, std::string &reason);
  static std::unique_ptr<Map> create(const MapSpec &spec, unsigned numCpus);

  // bpf_ringbuf_query() flags.
  static constexpr uint64_t kAvailData = 0, kRingSize = 1, kConsumerPos = 2, kProducerPos = 3;

  // bpf_ringbuf_reserve(): `size` writable bytes, or nullptr when `flags`
  // is not 0 or the ring has no room.
  void *reserve(uint64_t size, uint64_t flags);
  // bpf_ringbuf_submit() / bpf_ringbuf_discard(): 0, or -EINVAL when
  // `sample` is not a pending reservation of this ring (which the verifier
  // rules out; reported so checked mode can name the misuse).
  long submit(void *sample, uint64_t flags);
  long discard(void *sample, uint64_t flags);
  // bpf_ringbuf_output(): reserve, copy and submit in one step.
  long output(const void *data, uint64_t size, uint64_t flags);
  // bpf_ringbuf_query().
  uint64_t query(uint64_t flags) const;

  struct Record {
    uint64_t position; // producer position of the record's header
    std::vector<uint8_t> data;
  };
  // User space: takes up to `limit` submitted records, oldest first.
  std::vector<Record> consume(size_t limit = SIZE_MAX);

  // Pending reservations are writable regions.
  bool findValueRegion(const void *p, size_t len, MemoryRegion &region) const override;
  // A run that ends with reservations still pending (impossible for
  // verified code) has them discarded, so the ring does not stall.
  void quiesce() override;

private:
  RingBufMap(const MapSpec &spec, unsigned numCpus) : Map(spec, numCpus) {}

  enum class State : uint8_t { Reserved, Submitted, Discarded };
  struct Entry {
    uint64_t position;
    uint32_t size;
    State state;
    std::unique_ptr<uint8_t[]> data;
  };
  long commit(void *sample, State state);
  uint64_t recordSpace(uint64_t size) const { return (size + 8 + 7) & ~uint64_t{7}; }

  void *doLookup(const void *, unsigned) override { return nullptr; }
  long doUserLookup(const void *, void *) const override { return -kENotSupp; }
  long doUserUpdate(const void *, const void *, uint64_t) override { return -kENotSupp; }
  long doUserDelete(const void *) override { return -kENotSupp; }
  long doGetNextKey(const void *, void *) const override { return -kENotSupp; }

  std::deque<Entry> entries_; // unconsumed records, oldest first
  // Pending reservations by sample address (they are never consumed, so
  // these pointers into entries_ stay valid).
  std::map<uintptr_t, Entry *> reserved_;
  uint64_t producer_ = 0, consumer_ = 0;
};

} // namespace ebpfc::runtime

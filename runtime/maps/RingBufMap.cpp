#include "runtime/maps/RingBufMap.h"

#include "runtime/maps/MapSupport.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <new>

namespace ebpfc::runtime {

using namespace detail;

namespace {
constexpr uint32_t kPageSize = 4096;
// RINGBUF_MAX_RECORD_SZ: the length field keeps two bits for busy/discard.
constexpr uint64_t kMaxRecordSize = UINT32_MAX / 4;
// bpf_ringbuf_output() flags: wake-up hints, meaningless without a waiter.
constexpr uint64_t kNoWakeup = 1, kForceWakeup = 2;
} // namespace

bool RingBufMap::implements(uint32_t type) { return type == static_cast<uint32_t>(ir::MapType::Ringbuf); }

long RingBufMap::check(const MapSpec &spec, std::string &reason) {
  if (spec.flags & ~mapflags::kNumaNode)
    return reject(reason, -EINVAL, "unsupported map_flags for a ring buffer");
  if (spec.keySize != 0 || spec.valueSize != 0)
    return reject(reason, -EINVAL, "a ring buffer has no keys or values: key_size and value_size must be 0");
  if (!std::has_single_bit(spec.maxEntries) || spec.maxEntries % kPageSize != 0)
    return reject(reason, -EINVAL, "a ring buffer's size (max_entries) must be a power of two multiple of 4096");
  return 0;
}

std::unique_ptr<Map> RingBufMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new RingBufMap(spec, numCpus));
}

void *RingBufMap::reserve(uint64_t size, uint64_t flags) {
  if (flags != 0 || size > kMaxRecordSize)
    return nullptr;
  uint64_t space = recordSpace(size);
  uint64_t ringSize = spec_.maxEntries;
  if (space > ringSize || producer_ + space - consumer_ > ringSize - 1)
    return nullptr;
  // At least one byte, so even an empty sample has an address of its own.
  std::unique_ptr<uint8_t[]> data(new (std::nothrow) uint8_t[std::max<uint64_t>(size, 1)]());
  if (!data)
    return nullptr;
  void *sample = data.get();
  entries_.push_back({producer_, static_cast<uint32_t>(size), State::Reserved, std::move(data)});
  reserved_.emplace(reinterpret_cast<uintptr_t>(sample), &entries_.back());
  producer_ += space;
  return sample;
}

long RingBufMap::commit(void *sample, State state) {
  auto it = reserved_.find(reinterpret_cast<uintptr_t>(sample));
  if (it == reserved_.end())
    return -EINVAL;
  it->second->state = state;
  reserved_.erase(it);
  return 0;
}

long RingBufMap::submit(void *sample, uint64_t) { return commit(sample, State::Submitted); }

long RingBufMap::discard(void *sample, uint64_t) { return commit(sample, State::Discarded); }

long RingBufMap::output(const void *data, uint64_t size, uint64_t flags) {
  if (flags & ~(kNoWakeup | kForceWakeup))
    return -EINVAL;
  void *sample = reserve(size, 0);
  if (!sample)
    return -EAGAIN;
  if (size)
    std::memcpy(sample, data, size);
  return commit(sample, State::Submitted);
}

uint64_t RingBufMap::query(uint64_t flags) const {
  switch (flags) {
  case kAvailData:
    return producer_ - consumer_;
  case kRingSize:
    return spec_.maxEntries;
  case kConsumerPos:
    return consumer_;
  case kProducerPos:
    return producer_;
  default:
    return 0;
  }
}

std::vector<RingBufMap::Record> RingBufMap::consume(size_t limit) {
  std::vector<Record> records;
  while (!entries_.empty() && records.size() < limit) {
    Entry &entry = entries_.front();
    if (entry.state == State::Reserved)
      break; // the producer has not committed this one yet
    if (entry.state == State::Submitted)
      records.push_back({entry.position, std::vector<uint8_t>(entry.data.get(), entry.data.get() + entry.size)});
    consumer_ = entry.position + recordSpace(entry.size);
    entries_.pop_front();
  }
  return records;
}

bool RingBufMap::findValueRegion(const void *p, size_t len, MemoryRegion &region) const {
  auto address = reinterpret_cast<uintptr_t>(p);
  auto it = reserved_.upper_bound(address);
  if (it == reserved_.begin())
    return false;
  --it;
  const Entry &entry = *it->second;
  uintptr_t offset = address - it->first;
  if (offset >= entry.size || len > entry.size - offset)
    return false;
  region = {entry.data.get(), entry.size, true};
  return true;
}

void RingBufMap::quiesce() {
  for (auto &[address, entry] : reserved_)
    entry->state = State::Discarded;
  reserved_.clear();
}

} // namespace ebpfc::runtime

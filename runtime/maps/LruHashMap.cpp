#include "runtime/maps/LruHashMap.h"

#include "runtime/maps/MapSupport.h"

namespace ebpfc::runtime {

using namespace detail;
using MT = ir::MapType;

namespace {
bool perCpuLists(const MapSpec &spec) { return spec.flags & mapflags::kNoCommonLru; }

} // namespace

bool LruHashMap::implements(uint32_t type) {
  return type == static_cast<uint32_t>(MT::LruHash) || type == static_cast<uint32_t>(MT::LruPercpuHash);
}

long LruHashMap::check(const MapSpec &spec, std::string &reason) { return checkHashFamily(spec, true, reason); }

std::unique_ptr<Map> LruHashMap::create(const MapSpec &spec, unsigned numCpus) {
  return std::unique_ptr<Map>(new LruHashMap(spec, numCpus));
}

LruHashMap::LruHashMap(const MapSpec &spec, unsigned numCpus)
    : HashMap(spec, numCpus), lists_(perCpuLists(spec) ? numCpus : 1),
      listCapacity_(perCpuLists(spec) ? spec.maxEntries / numCpus : spec.maxEntries) {}

void LruHashMap::link(uint32_t element, RecencyList &list) {
  if (element >= listOf_.size()) {
    moreRecent_.resize(pool_.capacity(), HashIndex::kNone);
    lessRecent_.resize(pool_.capacity(), HashIndex::kNone);
    listOf_.resize(pool_.capacity(), 0);
  }
  listOf_[element] = static_cast<uint32_t>(&list - lists_.data());
  moreRecent_[element] = HashIndex::kNone;
  lessRecent_[element] = list.mostRecent;
  if (list.mostRecent != HashIndex::kNone)
    moreRecent_[list.mostRecent] = element;
  else
    list.leastRecent = element;
  list.mostRecent = element;
  ++list.size;
}

void LruHashMap::unlink(uint32_t element) {
  RecencyList &list = lists_[listOf_[element]];
  uint32_t newer = moreRecent_[element], older = lessRecent_[element];
  if (newer != HashIndex::kNone)
    lessRecent_[newer] = older;
  else
    list.mostRecent = older;
  if (older != HashIndex::kNone)
    moreRecent_[older] = newer;
  else
    list.leastRecent = newer;
  --list.size;
}

long LruHashMap::makeRoom(unsigned cpu) {
  RecencyList &list = lists_[lists_.size() == 1 ? 0 : cpu];
  if (list.size >= listCapacity_)
    dropElement(list.leastRecent);
  return 0;
}

void LruHashMap::touched(uint32_t element) {
  RecencyList &list = lists_[listOf_[element]];
  if (list.mostRecent == element)
    return;
  unlink(element);
  link(element, list);
}

void LruHashMap::inserted(uint32_t element, unsigned cpu) { link(element, lists_[lists_.size() == 1 ? 0 : cpu]); }

void LruHashMap::removing(uint32_t element) { unlink(element); }

} // namespace ebpfc::runtime

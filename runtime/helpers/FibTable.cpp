#include "runtime/helpers/FibTable.h"

namespace ebpfc::runtime {

namespace {
bool prefixMatches(const FibRoute &route, const uint8_t *address) {
  const unsigned length = route.prefixLength;
  for (unsigned bit = 0; bit < length; bit += 8) {
    const unsigned bits = length - bit >= 8 ? 8 : length - bit;
    const uint8_t mask = uint8_t(0xff00 >> bits);
    if ((address[bit / 8] & mask) != (route.prefix[bit / 8] & mask))
      return false;
  }
  return true;
}
} // namespace

const FibRoute *FibTable::lookup(FibRoute::Family family, const uint8_t *address) const {
  const FibRoute *best = nullptr;
  for (const FibRoute &route : routes)
    if (route.family == family && prefixMatches(route, address) && (!best || route.prefixLength > best->prefixLength))
      best = &route;
  return best;
}

} // namespace ebpfc::runtime

#include "runtime/helpers/Checksum.h"

namespace ebpfc::runtime::checksum {

uint32_t partial(std::span<const uint8_t> bytes, uint32_t seed) {
  // 64-bit accumulation of 32-bit words cannot overflow for any buffer a
  // program can pass; the carries are folded back at the end.
  uint64_t sum = 0;
  size_t i = 0;
  for (; i + 4 <= bytes.size(); i += 4) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + i, 4);
    sum += word;
  }
  if (i + 2 <= bytes.size()) {
    sum += load16(bytes.data() + i);
    i += 2;
  }
  if (i < bytes.size())
    sum += bytes[i];
  // Fold to 32 bits with end-around carry, then add the seed likewise.
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffffffff) + (sum >> 32);
  return add(uint32_t(sum), seed);
}

void replace4(uint8_t *field, uint32_t from, uint32_t to) {
  const uint32_t sum = ~uint32_t(load16(field)); // ~csum_unfold(): complemented as 32 bits
  store16(field, fold(add(sub(sum, from), to)));
}

void replace2(uint8_t *field, uint16_t from, uint16_t to) {
  const uint16_t sum = uint16_t(~load16(field));
  store16(field, uint16_t(~add16(add16(sum, uint16_t(~from)), to)));
}

void replaceByDiff(uint8_t *field, uint32_t diff) {
  const uint32_t sum = ~uint32_t(load16(field)); // ~csum_unfold(): complemented as 32 bits
  store16(field, fold(add(diff, sum)));
}

}  // namespace ebpfc::runtime::checksum

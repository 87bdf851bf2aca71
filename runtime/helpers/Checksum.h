// Internet checksum arithmetic as the kernel does it on a little-endian host
// (include/net/checksum.h, lib/checksum.c): 32-bit partial sums with
// end-around carry over 16-bit words as they lie in memory, folded to 16
// bits. Fields are read and written as host-order integers of their bytes,
// exactly like the kernel's __sum16/__wsum, so results match byte for byte.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace ebpfc::runtime::checksum {

// csum_add / csum_sub on 32-bit partial sums.
inline uint32_t add(uint32_t sum, uint32_t addend) {
  const uint32_t result = sum + addend;
  return result + (result < addend ? 1 : 0);
}
inline uint32_t sub(uint32_t sum, uint32_t addend) { return add(sum, ~addend); }

// csum_partial(): the sum of `bytes` (16-bit words in memory order, a
// trailing odd byte as the low byte of a word) added to `seed`.
uint32_t partial(std::span<const uint8_t> bytes, uint32_t seed);

// csum_fold(): the complemented 16-bit checksum of a partial sum.
inline uint16_t fold(uint32_t sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

// csum_from32to16(): the partial sum folded to 16 bits, not complemented.
inline uint16_t from32to16(uint32_t sum) {
  sum += (sum >> 16) | (sum << 16);
  return uint16_t(sum >> 16);
}

// csum16_add for the 16-bit replace.
inline uint16_t add16(uint16_t sum, uint16_t addend) {
  const uint16_t result = uint16_t(sum + addend);
  return uint16_t(result + (result < addend ? 1 : 0));
}

// The checksum field at `field` (2 bytes, any alignment) after a covered
// value changed from `from` to `to`.
void replace4(uint8_t *field, uint32_t from, uint32_t to);       // csum_replace4
void replace2(uint8_t *field, uint16_t from, uint16_t to);       // csum_replace2
void replaceByDiff(uint8_t *field, uint32_t diff);               // csum_replace_by_diff

inline uint16_t load16(const uint8_t *p) {
  uint16_t value;
  std::memcpy(&value, p, 2);
  return value;
}
inline void store16(uint8_t *p, uint16_t value) { std::memcpy(p, &value, 2); }

} // namespace ebpfc::runtime::checksum

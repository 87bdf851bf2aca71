// Little-endian field reads from section bytes. Callers check bounds first;
// these only assemble the bytes (eBPF objects are little-endian whatever the host).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ebpfc::runtime {

inline uint16_t readLe16(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint16_t>(bytes[offset] | bytes[offset + 1] << 8);
}

inline uint32_t readLe32(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint32_t>(bytes[offset]) | static_cast<uint32_t>(bytes[offset + 1]) << 8 |
         static_cast<uint32_t>(bytes[offset + 2]) << 16 |
         static_cast<uint32_t>(bytes[offset + 3]) << 24;
}

inline uint64_t readLe64(std::span<const uint8_t> bytes, size_t offset) {
  return readLe32(bytes, offset) | static_cast<uint64_t>(readLe32(bytes, offset + 4)) << 32;
}

// Whether [offset, offset + length) lies inside a buffer of `size` bytes,
// without overflowing.
inline bool rangeFits(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

} // namespace ebpfc::runtime

// Bytes as suites write them: hex digit pairs, whitespace between bytes for
// readability, and in expectations `*` for a nibble whose value does not
// matter ("45 00 00 54 ** ** 40 00").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::suites {

using Bytes = std::vector<uint8_t>;

struct BytePattern {
  Bytes bytes;
  Bytes mask; // per byte: the bits that must match (0xff without wildcards)

  static BytePattern exactly(const Bytes &bytes);
  bool matches(const Bytes &actual) const;
  bool hasWildcards() const;
  // Hex with `*` for wildcard nibbles, a space between bytes.
  std::string toHex() const;
};

// Parses `text`: pairs of hex digits, optionally separated by whitespace
// (which may not split a pair). Wildcard nibbles (`*`) only when allowed.
// On failure `error` says what is wrong and where in the string.
bool parseHex(std::string_view text, bool allowWildcards, BytePattern &out, std::string &error);

// The value of hex digit `c`, or -1.
int hexValue(char c);

// "45 00 00 54" (a space between bytes).
std::string formatHex(const Bytes &bytes);
// Lowercase hex without separators, for map keys and compact messages.
std::string formatHexCompact(const Bytes &bytes);

} // namespace ebpfc::suites

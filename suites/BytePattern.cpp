#include "suites/BytePattern.h"

#include <algorithm>

namespace ebpfc::suites {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char kDigits[] = "0123456789abcdef";

} // namespace

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

BytePattern BytePattern::exactly(const Bytes &bytes) { return {bytes, Bytes(bytes.size(), 0xff)}; }

bool BytePattern::matches(const Bytes &actual) const {
  if (actual.size() != bytes.size())
    return false;
  for (size_t i = 0; i < bytes.size(); i++)
    if ((actual[i] & mask[i]) != (bytes[i] & mask[i]))
      return false;
  return true;
}

bool BytePattern::hasWildcards() const {
  return std::any_of(mask.begin(), mask.end(), [](uint8_t m) { return m != 0xff; });
}

std::string BytePattern::toHex() const {
  std::string text;
  for (size_t i = 0; i < bytes.size(); i++) {
    if (i)
      text += ' ';
    text += (mask[i] & 0xf0) ? kDigits[bytes[i] >> 4] : '*';
    text += (mask[i] & 0x0f) ? kDigits[bytes[i] & 0xf] : '*';
  }
  return text;
}

bool parseHex(std::string_view text, bool allowWildcards, BytePattern &out, std::string &error) {
  out = {};
  size_t i = 0;
  while (i < text.size()) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    size_t groupStart = i;
    while (i < text.size() && !isSpace(text[i]))
      i++;
    std::string_view group = text.substr(groupStart, i - groupStart);
    for (size_t d = 0; d < group.size(); d++) {
      char c = group[d];
      if (c == '*' && !allowWildcards) {
        error = "'*' wildcards are allowed in expected bytes only (character " +
                std::to_string(groupStart + d + 1) + ")";
        return false;
      }
      if (c != '*' && hexValue(c) < 0) {
        error = std::string("'") + c + "' is not a hex digit (character " + std::to_string(groupStart + d + 1) + ")";
        return false;
      }
    }
    if (group.size() % 2 != 0) {
      error = "\"" + std::string(group) + "\" has an odd number of hex digits (character " +
              std::to_string(groupStart + 1) + "); spaces may separate bytes but not split one";
      return false;
    }
    for (size_t d = 0; d < group.size(); d += 2) {
      uint8_t value = 0, mask = 0;
      for (size_t n = 0; n < 2; n++) {
        char c = group[d + n];
        value = uint8_t(value << 4);
        mask = uint8_t(mask << 4);
        if (c != '*') {
          value |= uint8_t(hexValue(c));
          mask |= 0xf;
        }
      }
      out.bytes.push_back(value);
      out.mask.push_back(mask);
    }
  }
  return true;
}

std::string formatHex(const Bytes &bytes) { return BytePattern::exactly(bytes).toHex(); }

std::string formatHexCompact(const Bytes &bytes) {
  std::string text;
  for (uint8_t b : bytes) {
    text += kDigits[b >> 4];
    text += kDigits[b & 0xf];
  }
  return text;
}

} // namespace ebpfc::suites

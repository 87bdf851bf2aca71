#include "ir/KernelVersion.h"

#include <charconv>

namespace ebpfc::ir {

namespace {
bool parseNumber(std::string_view &text, unsigned &out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr == text.data())
    return false;
  text.remove_prefix(ptr - text.data());
  return true;
}
} // namespace

std::optional<KernelVersion> KernelVersion::parse(std::string_view text) {
  KernelVersion v;
  if (!parseNumber(text, v.major) || text.empty() || text.front() != '.')
    return std::nullopt;
  text.remove_prefix(1);
  if (!parseNumber(text, v.minor))
    return std::nullopt;
  if (!text.empty()) {
    unsigned patch;
    if (text.front() != '.')
      return std::nullopt;
    text.remove_prefix(1);
    if (!parseNumber(text, patch) || !text.empty())
      return std::nullopt;
  }
  return v;
}

std::string KernelVersion::str() const { return std::to_string(major) + "." + std::to_string(minor); }

} // namespace ebpfc::ir

// A Linux kernel version as "major.minor", the unit in which eBPF features,
// helpers and limits appear.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace ebpfc::ir {

struct KernelVersion {
  unsigned major = 0;
  unsigned minor = 0;

  friend constexpr auto operator<=>(const KernelVersion &, const KernelVersion &) = default;

  // Accepts "X.Y" and "X.Y.Z" (the patch level is ignored); nullopt otherwise.
  static std::optional<KernelVersion> parse(std::string_view text);
  std::string str() const;
};

// The kernel ebpfc targets when --target-kernel is not given: Debian 12's 6.1,
// the oldest long-term kernel in wide production use. Documented in README.md.
inline constexpr KernelVersion kDefaultTargetKernel{6, 1};

} // namespace ebpfc::ir

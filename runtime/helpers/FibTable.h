// The routing table bpf_fib_lookup() consults in user space: routes the
// embedder (or `ebpfvm run --fib FILE`) supplies, each with the egress
// interface and the MAC addresses the kernel would take from the device and
// its neighbour table. Lookups take the longest matching prefix, as the
// kernel's FIB does for a single table.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace ebpfc::runtime {

struct FibRoute {
  enum class Type : uint8_t { Unicast, Blackhole, Unreachable, Prohibit };
  enum class Family : uint8_t { Ipv4, Ipv6 };

  Family family = Family::Ipv4;
  std::array<uint8_t, 16> prefix{}; // network byte order; IPv4 in the first 4 bytes
  unsigned prefixLength = 0;
  Type type = Type::Unicast;
  uint32_t ifindex = 0; // egress interface
  std::array<uint8_t, 6> sourceMac{};      // the egress device's address
  std::optional<std::array<uint8_t, 6>> destinationMac; // the neighbour's; none: BPF_FIB_LKUP_RET_NO_NEIGH
  std::optional<std::array<uint8_t, 16>> gateway;        // next hop, if not directly connected
  std::optional<std::array<uint8_t, 16>> preferredSource; // for BPF_FIB_LOOKUP_SRC
  uint32_t mtu = 1500;
  uint32_t metric = 0;
};

struct FibTable {
  std::vector<FibRoute> routes;

  // The most specific route containing `address` (4 or 16 bytes, network
  // order), or nullptr.
  const FibRoute *lookup(FibRoute::Family family, const uint8_t *address) const;
};

} // namespace ebpfc::runtime

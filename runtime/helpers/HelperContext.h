// What helpers see of a run beyond their arguments: the packet and its
// context, the virtual CPU, the clock, the random generator, the routing
// table, the object's maps, and where their effects go (trace_printk lines,
// the redirect decision). The runner (runtime/exec) fills one per run and
// passes it as RunInput::hostState; helpers — the runtime's and an
// embedder's — reach it with HelperContext::from(call).
#pragma once

#include "runtime/context/PacketContext.h"
#include "runtime/helpers/FibTable.h"
#include "runtime/maps/Map.h"
#include "runtime/vm/ExecutionEnvironment.h"

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace ebpfc::runtime {

// Where bpf_redirect*() sent the packet (the program's verdict says whether
// the redirect happens: XDP_REDIRECT, TC_ACT_REDIRECT).
struct RedirectRecord {
  enum class Kind : uint8_t {
    Interface, // bpf_redirect: ifindex, flags (BPF_F_INGRESS)
    Peer,      // bpf_redirect_peer: the ifindex's peer device
    Neighbor,  // bpf_redirect_neigh: ifindex, via the neighbour subsystem
    MapEntry,  // bpf_redirect_map: map, key and the entry's target
  };
  Kind kind = Kind::Interface;
  uint32_t ifindex = 0;
  uint64_t flags = 0;
  std::string map;
  uint32_t key = 0;
  std::optional<RedirectTarget> target; // MapEntry: the devmap/cpumap/xskmap entry (none with BPF_F_BROADCAST misses)
};

struct HelperContext {
  // The packet and its context; null for programs run without one.
  PacketContext *packet = nullptr;
  unsigned cpu = 0;
  unsigned numCpus = 1;
  // bpf_ktime_get_ns() and its variants during this run.
  uint64_t timeNs = 0;
  std::mt19937_64 *random = nullptr;
  const FibTable *fib = nullptr;
  // The object's maps (ring buffers own their reservations, perf event
  // arrays their records).
  std::span<Map *const> maps;

  // Effects of the run.
  std::vector<std::string> trace;
  std::optional<RedirectRecord> redirect;

  // The run's context, or nullptr after faulting the call (a run started
  // without one).
  static HelperContext *from(HelperCall &call);
};

} // namespace ebpfc::runtime

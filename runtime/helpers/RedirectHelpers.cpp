// Where packets go: bpf_redirect, bpf_redirect_map, bpf_redirect_peer,
// bpf_redirect_neigh (recorded in the run's RedirectRecord; the verdict is
// the program's return value) and bpf_fib_lookup over the embedder's
// FibTable, with the kernel's flag checks and BPF_FIB_LKUP_RET_* codes.
#include "ir/MapType.h"
#include "runtime/helpers/HelperSupport.h"

#include <cerrno>
#include <cstring>

namespace ebpfc::runtime::helpers {

namespace {

constexpr uint64_t kIngress = 1;                          // BPF_F_INGRESS
constexpr uint64_t kBroadcast = 1 << 3, kExcludeIngress = 1 << 4; // BPF_F_BROADCAST, BPF_F_EXCLUDE_INGRESS
constexpr uint64_t kXdpActionMask = 3;                    // XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX
constexpr uint64_t kXdpAborted = 0, kXdpRedirect = 4;
constexpr uint64_t kTcActShot = 2, kTcActRedirect = 7;

bool isXdp(HelperCall &call) { return programType(call) == ir::ProgramType::Xdp; }

uint64_t redirect(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  const uint64_t flags = call.arg(2);
  if (isXdp(call) ? flags != 0 : (flags & ~kIngress) != 0)
    return isXdp(call) ? kXdpAborted : kTcActShot;
  RedirectRecord record;
  record.kind = RedirectRecord::Kind::Interface;
  record.ifindex = uint32_t(call.arg(1));
  record.flags = flags;
  run->redirect = record;
  return isXdp(call) ? kXdpRedirect : kTcActRedirect;
}

uint64_t redirectPeer(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  if (call.arg(2) != 0)
    return kTcActShot;
  RedirectRecord record;
  record.kind = RedirectRecord::Kind::Peer;
  record.ifindex = uint32_t(call.arg(1));
  run->redirect = record;
  return kTcActRedirect;
}

uint64_t redirectNeighbor(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  const int64_t paramsLength = int32_t(uint32_t(call.arg(3)));
  constexpr int64_t kParamsSize = 20; // struct bpf_redir_neigh
  if ((paramsLength && paramsLength < kParamsSize) || call.arg(4) != 0)
    return kTcActShot;
  if (paramsLength && !call.readableMemory(call.arg(2), uint64_t(paramsLength)))
    return 0;
  RedirectRecord record;
  record.kind = RedirectRecord::Kind::Neighbor;
  record.ifindex = uint32_t(call.arg(1));
  run->redirect = record;
  return kTcActRedirect;
}

uint64_t redirectMap(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  Map *map = run ? mapArgument(call, 1) : nullptr;
  if (!map)
    return 0;
  const auto type = ir::MapType(map->spec().type);
  uint64_t flagMask = 0;
  if (type == ir::MapType::Devmap || type == ir::MapType::DevmapHash)
    flagMask = kBroadcast | kExcludeIngress;
  else if (type != ir::MapType::Cpumap && type != ir::MapType::Xskmap) {
    call.fault("argument 1 must be a devmap, devmap-hash, cpumap or xskmap");
    return 0;
  }
  const uint64_t flags = call.arg(3);
  if (flags & ~(kXdpActionMask | flagMask))
    return kXdpAborted;
  const uint32_t key = uint32_t(call.arg(2));
  std::optional<RedirectTarget> target = map->redirectTarget(key);
  if (!target && !(flags & kBroadcast)) {
    // A miss clears an earlier redirect and returns the fallback action.
    run->redirect.reset();
    return flags & kXdpActionMask;
  }
  RedirectRecord record;
  record.kind = RedirectRecord::Kind::MapEntry;
  record.map = map->spec().name;
  record.key = key;
  record.target = target;
  record.flags = flags & kBroadcast ? flags : 0;
  if (target && target->kind == RedirectTarget::Kind::Device)
    record.ifindex = target->id;
  run->redirect = record;
  return kXdpRedirect;
}

// --- bpf_fib_lookup ---

// struct bpf_fib_lookup, by offset.
constexpr size_t kFibParamsSize = 64;
constexpr size_t kFamily = 0, kTotLen = 6, kIfindex = 8, kMetric = 12, kSource = 16, kDestination = 32,
                 kVlanProto = 48, kVlanTci = 50, kSourceMac = 52, kDestinationMac = 58;
constexpr uint32_t kLookupSkipNeighbor = 4, kLookupSource = 16, kLookupFlags = 0x3f;
constexpr uint8_t kAfInet = 2, kAfInet6 = 10;
enum FibResult : uint64_t {
  kSuccess = 0,
  kBlackhole = 1,
  kUnreachable = 2,
  kProhibit = 3,
  kNotForwarded = 4,
  kNoNeighbor = 7,
  kFragmentationNeeded = 8,
  kNoSourceAddress = 9,
};

uint16_t read16(const uint8_t *p) {
  uint16_t value;
  std::memcpy(&value, p, 2);
  return value;
}

uint64_t fibLookup(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run || !run->packet || call.arg(1) != run->packet->contextAddress()) {
    if (run)
      call.fault("argument 1 must be the context pointer");
    return 0;
  }
  const int64_t length = int32_t(uint32_t(call.arg(3)));
  const uint32_t flags = uint32_t(call.arg(4));
  if (length < int64_t(kFibParamsSize))
    return error(-EINVAL);
  const auto params = call.writableMemory(call.arg(2), kFibParamsSize);
  if (!params)
    return 0;
  if (flags & ~kLookupFlags)
    return error(-EINVAL);
  uint8_t *p = params->data();
  const uint8_t family = p[kFamily];
  if (family != kAfInet && family != kAfInet6)
    return error(-EAFNOSUPPORT);
  const bool v4 = family == kAfInet;
  const size_t addressSize = v4 ? 4 : 16;
  const FibRoute *route =
      run->fib ? run->fib->lookup(v4 ? FibRoute::Family::Ipv4 : FibRoute::Family::Ipv6, p + kDestination) : nullptr;
  if (!route)
    return kNotForwarded;
  switch (route->type) {
  case FibRoute::Type::Blackhole: return kBlackhole;
  case FibRoute::Type::Unreachable: return kUnreachable;
  case FibRoute::Type::Prohibit: return kProhibit;
  case FibRoute::Type::Unicast: break;
  }
  // The MTU: XDP and skb callers that give tot_len compare it with the
  // route's MTU; skb callers without one compare the packet (the kernel's
  // is_skb_forwardable(): MTU plus Ethernet and VLAN headers).
  const uint16_t totalLength = read16(p + kTotLen);
  const bool checkTotalLength = isXdp(call) || totalLength != 0;
  if (checkTotalLength && totalLength > route->mtu) {
    const uint16_t mtu = uint16_t(route->mtu);
    std::memcpy(p + kTotLen, &mtu, 2);
    return kFragmentationNeeded;
  }
  std::memcpy(p + kMetric, &route->metric, 4);
  std::memcpy(p + kIfindex, &route->ifindex, 4);
  if (flags & kLookupSource) {
    if (!route->preferredSource)
      return kNoSourceAddress;
    std::memcpy(p + kSource, route->preferredSource->data(), addressSize);
  }
  if (route->gateway)
    std::memcpy(p + kDestination, route->gateway->data(), addressSize);
  if (!(flags & kLookupSkipNeighbor)) {
    if (!route->destinationMac)
      return kNoNeighbor;
    std::memcpy(p + kDestinationMac, route->destinationMac->data(), 6);
    std::memcpy(p + kSourceMac, route->sourceMac.data(), 6);
  }
  std::memset(p + kVlanProto, 0, 2);
  std::memset(p + kVlanTci, 0, 2);
  FibResult result = kSuccess;
  if (!checkTotalLength && run->packet->kind() == ContextKind::Skb &&
      static_cast<const SkbContext *>(run->packet)->length() > route->mtu + 14 + 4)
    result = kFragmentationNeeded;
  const uint16_t mtu = uint16_t(route->mtu);
  std::memcpy(p + kTotLen, &mtu, 2);
  return result;
}

} // namespace

void addRedirectHelpers(HelperRegistry &registry) {
  registry.add(23, "", redirect);
  registry.add(51, "", redirectMap);
  registry.add(152, "", redirectNeighbor);
  registry.add(155, "", redirectPeer);
  registry.add(69, "", fibLookup);
}

} // namespace ebpfc::runtime::helpers

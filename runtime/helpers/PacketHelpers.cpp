// Helpers that read, write and reshape the packet: xdp_adjust_*, the XDP and
// skb byte accessors, skb_change_head/tail, VLAN push/pop and the skb hash,
// with the argument checks and error codes of net/core/filter.c.
#include "runtime/helpers/HelperSupport.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

namespace ebpfc::runtime::helpers {

namespace {

constexpr uint64_t kRecomputeChecksum = 1, kInvalidateHash = 2;  // BPF_F_RECOMPUTE_CSUM, BPF_F_INVALIDATE_HASH
constexpr uint32_t kHeaderStartMac = 0, kHeaderStartNet = 1;      // BPF_HDR_START_*
constexpr uint16_t kVlan8021Q = 0x0081, kVlan8021AD = 0xa888;      // htons(ETH_P_8021Q), htons(ETH_P_8021AD)
constexpr uint32_t kVlanHeader = 4;
constexpr uint32_t kMacAddresses = 12;

// --- XDP ---

template <long (XdpContext::*adjust)(int64_t)> uint64_t xdpAdjust(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  XdpContext *xdp = run ? xdpArgument(call, *run, 1) : nullptr;
  if (!xdp)
    return 0;
  const long result = (xdp->*adjust)(int64_t(int32_t(uint32_t(call.arg(2)))));
  packetChanged(call, *run);
  return error(result);
}

// Trusted code's fast path (Helper::direct): the same adjustment when r1 is
// the run's XDP context; trusted code does not track the packet's region.
template <long (XdpContext::*adjust)(int64_t)>
DirectHelperResult directXdpAdjust(void *hostState, uint64_t context, uint64_t delta, uint64_t, uint64_t, uint64_t) {
  auto *run = static_cast<HelperContext *>(hostState);
  if (!run || !run->packet || run->packet->kind() != ContextKind::Xdp || context != run->packet->contextAddress())
    return {0, 0};
  auto *xdp = static_cast<XdpContext *>(run->packet);
  return {error((xdp->*adjust)(int64_t(int32_t(uint32_t(delta))))), 1};
}

uint64_t xdpBufferLength(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  XdpContext *xdp = run ? xdpArgument(call, *run, 1) : nullptr;
  return xdp ? xdp->dataEnd() - xdp->data() : 0;
}

// bpf_xdp_load_bytes/store_bytes: offset and length within the (linear) frame.
template <bool store> uint64_t xdpBytes(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  XdpContext *xdp = run ? xdpArgument(call, *run, 1) : nullptr;
  if (!xdp)
    return 0;
  const uint64_t offset = uint32_t(call.arg(2)), length = uint32_t(call.arg(4));
  if (offset > 0xffff || length > 0xffff)
    return error(-EFAULT);
  if (offset + length > xdp->dataEnd() - xdp->data())
    return error(-EINVAL);
  uint8_t *packet = xdp->frame() + xdp->data() + offset;
  if (store) {
    const auto from = call.readableMemory(call.arg(3), length);
    if (!from)
      return 0;
    std::memmove(packet, from->data(), length);
  } else {
    const auto to = call.writableMemory(call.arg(3), length);
    if (!to)
      return 0;
    std::memmove(to->data(), packet, length);
  }
  return 0;
}

// --- skb ---

uint64_t skbLoadBytes(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint32_t offset = uint32_t(call.arg(2)), length = uint32_t(call.arg(4));
  const auto to = call.writableMemory(call.arg(3), length);
  if (!to)
    return 0;
  if (offset > INT_MAX || uint64_t(offset) + length > skb->length()) {
    std::memset(to->data(), 0, length);
    return error(-EFAULT);
  }
  std::memmove(to->data(), skb->data() + offset, length);
  return 0;
}

uint64_t skbLoadBytesRelative(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint32_t offset = uint32_t(call.arg(2)), length = uint32_t(call.arg(4));
  const uint64_t header = uint32_t(call.arg(5));
  const auto to = call.writableMemory(call.arg(3), length);
  if (!to)
    return 0;
  int64_t start = 0;
  bool valid = offset <= 0xffff;
  if (header == kHeaderStartMac)
    start = skb->macOffset();
  else if (header == kHeaderStartNet)
    start = skb->networkOffset();
  else
    valid = false;
  // From the header to the end of the packet; the MAC header may lie
  // before skb->data (programs that see the network header).
  const int64_t from = start + int64_t(offset);
  if (!valid || from + int64_t(length) > int64_t(skb->length()) || from < skb->macOffset()) {
    std::memset(to->data(), 0, length);
    return error(-EFAULT);
  }
  std::memmove(to->data(), skb->data() + from, length);
  return 0;
}

uint64_t skbStoreBytes(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint32_t offset = uint32_t(call.arg(2)), length = uint32_t(call.arg(4));
  const uint64_t flags = call.arg(5);
  const auto from = call.readableMemory(call.arg(3), length);
  if (!from)
    return 0;
  if (flags & ~(kRecomputeChecksum | kInvalidateHash))
    return error(-EINVAL);
  // The kernel adds offset and length as u32, like this.
  if (offset > INT_MAX || !skb->mayPull(uint32_t(offset + length)) || uint64_t(offset) + length > skb->length())
    return error(-EFAULT);
  // BPF_F_RECOMPUTE_CSUM updates skb->csum of CHECKSUM_COMPLETE packets;
  // test-run packets are CHECKSUM_NONE, so only the bytes change.
  std::memmove(skb->data() + offset, from->data(), length);
  if (flags & kInvalidateHash) {
    skb->hash = 0;
    skb->softwareHash = false;
  }
  return 0;
}

uint64_t skbPullData(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  // Test-run packets are linear: pulling succeeds up to the length.
  return skb->mayPull(uint32_t(call.arg(2))) ? 0 : error(-ENOMEM);
}

uint64_t skbChangeTail(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint32_t newLength = uint32_t(call.arg(2));
  // __bpf_skb_min_len(): the network header must stay in the packet.
  const int64_t minLength = std::max<int64_t>(skb->networkOffset(), 0);
  if (call.arg(3) != 0 || newLength > SkbContext::kMaxLength || int64_t(newLength) < minLength)
    return error(-EINVAL);
  skb->setLength(newLength);
  packetChanged(call, *run);
  return 0;
}

uint64_t skbChangeHead(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint32_t room = uint32_t(call.arg(2));
  const uint32_t newLength = skb->length() + room;
  if (call.arg(3) != 0 || newLength > SkbContext::kMaxLength || newLength < skb->length())
    return error(-EINVAL);
  skb->pushHead(room);
  packetChanged(call, *run);
  return 0;
}

bool isVlanProtocol(uint16_t stored) { return stored == kVlan8021Q || stored == kVlan8021AD; }

// __skb_vlan_pop(): takes the tag after the MAC addresses out of the packet;
// the EtherType behind it becomes skb->protocol. The tag's TCI, or -ENOMEM
// when the packet is too short to hold a tagged header.
long popPacketTag(SkbContext &skb, uint16_t &tci) {
  if (skb.length() < kEthernetHeaderSize + kVlanHeader)
    return -ENOMEM;
  const uint8_t *tag = skb.data() + kMacAddresses;
  tci = uint16_t(tag[2] << 8 | tag[3]);
  const uint8_t *inner = tag + 4;
  const uint16_t innerType = uint16_t(inner[0] << 8 | inner[1]);
  uint16_t protocol;
  if (innerType >= 0x0600)
    std::memcpy(&protocol, inner, 2);
  else if (skb.length() >= kEthernetHeaderSize + kVlanHeader + 2 && inner[2] == 0xff && inner[3] == 0xff)
    protocol = 0x0100; // htons(ETH_P_802_3)
  else
    protocol = 0x0400; // htons(ETH_P_802_2)
  skb.removeBytes(kMacAddresses, kVlanHeader);
  skb.protocol = protocol;
  return 0;
}

uint64_t skbVlanPush(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  uint16_t protocol = uint16_t(call.arg(2));
  if (!isVlanProtocol(protocol))
    protocol = kVlan8021Q;
  if (skb->vlanTagPresent()) {
    // The accelerated tag moves into the packet, behind the MAC addresses.
    if (skb->macOffset() != 0)
      return error(-EINVAL);
    skb->insertBytes(kMacAddresses, kVlanHeader);
    uint8_t *tag = skb->data() + kMacAddresses;
    std::memcpy(tag, &skb->vlanProto, 2);
    tag[2] = uint8_t(skb->vlanTci >> 8);
    tag[3] = uint8_t(skb->vlanTci);
    skb->protocol = skb->vlanProto;
    packetChanged(call, *run);
  }
  skb->vlanProto = protocol;
  skb->vlanTci = uint16_t(call.arg(3));
  return 0;
}

uint64_t skbVlanPop(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  if (skb->vlanTagPresent()) {
    skb->vlanProto = 0;
    skb->vlanTci = 0;
  } else {
    if (!isVlanProtocol(skb->protocol))
      return 0;
    if (skb->macOffset() != 0)
      return error(-EINVAL);
    uint16_t tci;
    const long result = popPacketTag(*skb, tci);
    packetChanged(call, *run);
    if (result)
      return error(result);
  }
  // The next tag in the packet, if any, becomes the accelerated one.
  if (!isVlanProtocol(skb->protocol))
    return 0;
  if (skb->macOffset() != 0)
    return error(-EINVAL);
  const uint16_t protocol = skb->protocol;
  uint16_t tci;
  const long result = popPacketTag(*skb, tci);
  packetChanged(call, *run);
  if (result)
    return error(result);
  skb->vlanProto = protocol;
  skb->vlanTci = tci;
  return 0;
}

// A flow hash of the packet's addresses, protocol and ports. The kernel's
// (jhash with a boot-time random seed) cannot be reproduced; this one is
// stable across runs and, like the kernel's, never 0.
uint32_t flowHash(const SkbContext &skb) {
  const int64_t network = skb.networkOffset();
  std::vector<uint8_t> key;
  auto take = [&](int64_t offset, size_t size) {
    if (offset >= 0 && uint64_t(offset) + size <= skb.length())
      key.insert(key.end(), skb.data() + offset, skb.data() + offset + size);
  };
  uint8_t protocol = 0;
  int64_t transport = -1;
  if (skb.protocol == 0x0008 && network >= 0 && uint64_t(network) + 20 <= skb.length()) {
    const uint8_t *ip = skb.data() + network;
    protocol = ip[9];
    take(network + 12, 8);
    transport = network + (ip[0] & 0x0f) * 4;
  } else if (skb.protocol == 0xdd86 && network >= 0 && uint64_t(network) + 40 <= skb.length()) {
    protocol = skb.data()[network + 6];
    take(network + 8, 32);
    transport = network + 40;
  }
  key.push_back(protocol);
  if (transport >= 0 && (protocol == 6 || protocol == 17 || protocol == 132))
    take(transport, 4);
  uint32_t hash = 2166136261u; // FNV-1a, then a final avalanche
  for (uint8_t byte : key)
    hash = (hash ^ byte) * 16777619u;
  hash ^= hash >> 16;
  hash *= 0x85ebca6bu;
  hash ^= hash >> 13;
  return hash ? hash : 1;
}

uint64_t getHashRecalc(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  if (!skb->softwareHash && skb->hash == 0)
    skb->hash = flowHash(*skb);
  return skb->hash;
}

uint64_t setHash(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  skb->hash = uint32_t(call.arg(2));
  skb->softwareHash = true;
  return 0;
}

uint64_t setHashInvalid(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  skb->hash = 0;
  skb->softwareHash = false;
  return 0;
}

} // namespace

void addPacketHelpers(HelperRegistry &registry) {
  registry.add(44, "", xdpAdjust<&XdpContext::adjustHead>, directXdpAdjust<&XdpContext::adjustHead>);
  registry.add(54, "", xdpAdjust<&XdpContext::adjustMeta>, directXdpAdjust<&XdpContext::adjustMeta>);
  registry.add(65, "", xdpAdjust<&XdpContext::adjustTail>, directXdpAdjust<&XdpContext::adjustTail>);
  registry.add(188, "", xdpBufferLength);
  registry.add(189, "", xdpBytes<false>);
  registry.add(190, "", xdpBytes<true>);
  registry.add(26, "", skbLoadBytes);
  registry.add(68, "", skbLoadBytesRelative);
  registry.add(9, "", skbStoreBytes);
  registry.add(39, "", skbPullData);
  registry.add(38, "", skbChangeTail);
  registry.add(43, "", skbChangeHead);
  registry.add(18, "", skbVlanPush);
  registry.add(19, "", skbVlanPop);
  registry.add(34, "", getHashRecalc);
  registry.add(48, "", setHash);
  registry.add(41, "", setHashInvalid);
}

} // namespace ebpfc::runtime::helpers

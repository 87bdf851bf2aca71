#include "runtime/context/SkbContext.h"

#include <linux/bpf.h>

#include <fmt/format.h>

#include <cstddef>
#include <cstring>

namespace ebpfc::runtime {

namespace {

constexpr uint32_t kPacketHost = 0, kPacketMulticast = 2, kPacketOtherHost = 3;
constexpr uint16_t kEtherTypeIpv4 = 0x0800, kEtherTypeIpv6 = 0x86dd;
constexpr uint16_t kEthP8023 = 0x0001, kEthP8022 = 0x0004, kEthP8023Min = 0x0600;
constexpr uint32_t kAfInet = 2, kAfInet6 = 10;
constexpr uint32_t kGsoLegacyMaxSize = 65536, kGsoMaxSegs = 65535, kNoQueueMapping = 0xffff;

uint16_t bigEndian16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }
uint16_t stored16(uint16_t hostOrder) { return uint16_t(hostOrder >> 8 | hostOrder << 8); }

// Field offsets, for the access rules below.
constexpr uint64_t kCbBegin = offsetof(__sk_buff, cb), kCbEnd = kCbBegin + sizeof(__sk_buff::cb);
constexpr uint64_t kFamily = offsetof(__sk_buff, family), kLocalPort = offsetof(__sk_buff, local_port);
constexpr uint64_t kRemoteIp6 = offsetof(__sk_buff, remote_ip6), kLocalIp6 = offsetof(__sk_buff, local_ip6);
constexpr uint64_t kTstampType = offsetof(__sk_buff, gso_size) + 4;
constexpr uint64_t kHwtstamp = offsetof(__sk_buff, hwtstamp);

bool inField(uint64_t offset, uint64_t field, uint64_t size) { return offset >= field && offset < field + size; }
bool isTc(ir::ProgramType type) { return type == ir::ProgramType::SchedCls || type == ir::ProgramType::SchedAct; }
bool isLwt(ir::ProgramType type) {
  return type == ir::ProgramType::LwtIn || type == ir::ProgramType::LwtOut || type == ir::ProgramType::LwtXmit ||
         type == ir::ProgramType::LwtSeg6local;
}

} // namespace

SkbContext::SkbContext(ir::ProgramType type) : PacketContext(ContextKind::Skb, type) {
  static_assert(sizeof(__sk_buff) == std::tuple_size_v<decltype(uapi_)>);
  static_assert(kTstampType == 180 && kHwtstamp == 184);
  initContextRegion(uapi_.data(), uapi_.size(), &accessor_);
}

std::unique_ptr<SkbContext> SkbContext::create(ir::ProgramType type, std::span<const uint8_t> packet,
                                               const ContextValues &values, std::string &error) {
  if (packet.size() < kEthernetHeaderSize) {
    error = fmt::format("the packet is {} bytes; BPF_PROG_TEST_RUN needs at least a {}-byte Ethernet header",
                        packet.size(), kEthernetHeaderSize);
    return nullptr;
  }
  if (packet.size() > kMaxTestPacket) {
    error = fmt::format("the packet is {} bytes; BPF_PROG_TEST_RUN takes at most {} bytes for __sk_buff programs",
                        packet.size(), kMaxTestPacket);
    return nullptr;
  }
  std::unique_ptr<SkbContext> skb(new SkbContext(type));
  skb->buffer_.assign(kInitialHeadroom + packet.size() + kTailroom, 0);
  std::memcpy(skb->buffer_.data() + kInitialHeadroom, packet.data(), packet.size());
  skb->mac_ = kInitialHeadroom;
  skb->end_ = kInitialHeadroom + packet.size();

  // eth_type_trans() on the loopback device (address 00:00:00:00:00:00,
  // no broadcast address of its own): pkt_type from the destination,
  // protocol from the EtherType (or the 802.3/802.2 guess), and the MAC
  // header pulled.
  const uint8_t *mac = packet.data();
  static constexpr uint8_t kLoopbackAddress[6] = {};
  if (std::memcmp(mac, kLoopbackAddress, 6) == 0)
    skb->pktType_ = kPacketHost;
  else
    skb->pktType_ = (mac[0] & 1) ? kPacketMulticast : kPacketOtherHost;
  const uint16_t etherType = bigEndian16(mac + 12);
  if (etherType >= kEthP8023Min)
    skb->protocol = stored16(etherType);
  else if (packet.size() >= kEthernetHeaderSize + 2 && mac[14] == 0xff && mac[15] == 0xff)
    skb->protocol = stored16(kEthP8023);
  else
    skb->protocol = stored16(kEthP8022);
  skb->network_ = skb->data_ = kInitialHeadroom + kEthernetHeaderSize;

  // The test run's socket takes its family and addresses from the IP header.
  const uint8_t *network = mac + kEthernetHeaderSize;
  const size_t networkLength = packet.size() - kEthernetHeaderSize;
  if (etherType == kEtherTypeIpv4) {
    skb->family_ = kAfInet;
    if (networkLength >= 20) {
      std::memcpy(&skb->localIp4_, network + 12, 4);
      std::memcpy(&skb->remoteIp4_, network + 16, 4);
    }
  } else if (etherType == kEtherTypeIpv6) {
    skb->family_ = kAfInet6;
    if (networkLength >= 40) {
      std::memcpy(skb->localIp6_.data(), network + 8, 16);
      std::memcpy(skb->remoteIp6_.data(), network + 24, 16);
    }
  }

  // tc programs see the packet from the MAC header (the test run pushes it
  // back); the others from the network header.
  skb->linkLayer_ = isTc(type);
  if (skb->linkLayer_)
    skb->data_ = skb->mac_;

  bool wireLenGiven = false;
  for (const auto &[name, value] : values) {
    const ContextFieldInfo *field = findContextField(ContextKind::Skb, name);
    if (!field || !field->input) {
      error = fmt::format("__sk_buff has no input field '{}' (fields: {})", name, inputFieldList(ContextKind::Skb));
      return nullptr;
    }
    if (field->size == 4 && value > UINT32_MAX) {
      error = fmt::format("__sk_buff.{} is a 32-bit field; {} does not fit", name, value);
      return nullptr;
    }
    if (name == "wire_len")
      wireLenGiven = value != 0;
    if (!skb->setInput(*field, value, error))
      return nullptr;
  }
  // convert___skb_to_skb(): wire_len defaults to the length, and may not be
  // smaller than it.
  if (!wireLenGiven)
    skb->wireLen_ = skb->length();
  else if (skb->wireLen_ < skb->length() || skb->wireLen_ > kGsoLegacyMaxSize) {
    error = fmt::format("__sk_buff.wire_len {} must lie between the packet length {} and {} "
                        "(BPF_PROG_TEST_RUN refuses it)",
                        skb->wireLen_, skb->length(), kGsoLegacyMaxSize);
    return nullptr;
  }
  if (skb->gsoSegs_ > kGsoMaxSegs) {
    error = fmt::format("__sk_buff.gso_segs {} exceeds {} (BPF_PROG_TEST_RUN refuses it)", skb->gsoSegs_,
                        kGsoMaxSegs);
    return nullptr;
  }
  return skb;
}

bool SkbContext::setInput(const ContextFieldInfo &field, uint64_t value, std::string &error) {
  const uint32_t value32 = uint32_t(value);
  const std::string_view name = field.name;
  if (name == "mark")
    mark = value32;
  else if (name == "priority")
    priority = value32;
  else if (name == "ingress_ifindex")
    ingressIfindex_ = value32;
  else if (name == "ifindex")
    // The kernel uses the device of that index (which must exist) when it
    // is above 1; user space has no devices, so any index is taken.
    ifindex_ = value32 > 1 ? value32 : kLoopbackIfindex;
  else if (name.starts_with("cb") && name.size() == 3)
    cb_[size_t(name[2] - '0')] = value32;
  else if (name == "tstamp")
    tstamp_ = value;
  else if (name == "wire_len")
    wireLen_ = value32;
  else if (name == "gso_segs")
    gsoSegs_ = value32;
  else if (name == "gso_size")
    gsoSize_ = value32;
  else if (name == "hwtstamp")
    hwtstamp_ = value;
  else if (name == "hash")
    hash = value32;
  else if (name == "queue_mapping")
    queueMapping_ = value32 & 0xffff;
  else if (name == "tc_index")
    tcIndex_ = value32 & 0xffff;
  else if (name == "tc_classid")
    tcClassid_ = value32 & 0xffff;
  else if (name == "napi_id")
    napiId_ = value32;
  else if (name == "vlan_tci")
    vlanTci = uint16_t(value32);
  else if (name == "vlan_proto")
    vlanProto = stored16(uint16_t(value32));
  else {
    error = fmt::format("__sk_buff.{} cannot be set", name);
    return false;
  }
  return true;
}

Region SkbContext::packetRegion() const {
  return hostRegion(buffer_.data() + data_, end_ - data_, RegionKind::Packet, "packet");
}

std::vector<uint8_t> SkbContext::outputPacket() const {
  std::vector<uint8_t> out;
  // Programs that saw the network header get a zeroed Ethernet header back.
  if (!linkLayer_)
    out.assign(kEthernetHeaderSize, 0);
  out.insert(out.end(), buffer_.begin() + std::ptrdiff_t(data_), buffer_.begin() + std::ptrdiff_t(end_));
  return out;
}

std::map<std::string, uint64_t> SkbContext::outputFields() const {
  // convert_skb_to___skb(); gso_size is not written back, so it reads as given.
  return {{"mark", mark},       {"priority", priority}, {"ingress_ifindex", ingressIfindex_},
          {"ifindex", ifindex_}, {"cb0", cb_[0]},       {"cb1", cb_[1]},
          {"cb2", cb_[2]},       {"cb3", cb_[3]},       {"cb4", cb_[4]},
          {"tstamp", tstamp_},   {"wire_len", wireLen_}, {"gso_segs", gsoSegs_},
          {"gso_size", gsoSize_}, {"hwtstamp", hwtstamp_}};
}

void SkbContext::setLength(uint32_t newLength) {
  const size_t newEnd = data_ + newLength;
  if (newEnd > buffer_.size())
    buffer_.resize(newEnd + kTailroom, 0);
  if (newEnd > end_)
    std::memset(buffer_.data() + end_, 0, newEnd - end_);
  end_ = newEnd;
}

void SkbContext::pushHead(uint32_t count) {
  if (data_ < count) {
    const size_t grow = count - data_ + kInitialHeadroom;
    buffer_.insert(buffer_.begin(), grow, 0);
    data_ += grow;
    end_ += grow;
    mac_ += grow;
    network_ += grow;
  }
  data_ -= count;
  std::memset(buffer_.data() + data_, 0, count);
  mac_ = data_;
}

void SkbContext::insertBytes(uint32_t offset, uint32_t count) {
  const size_t at = data_ + offset;
  buffer_.insert(buffer_.begin() + std::ptrdiff_t(at), count, 0);
  end_ += count;
  if (mac_ > at)
    mac_ += count;
  if (network_ >= at)
    network_ += count;
}

void SkbContext::removeBytes(uint32_t offset, uint32_t count) {
  const size_t at = data_ + offset;
  buffer_.erase(buffer_.begin() + std::ptrdiff_t(at), buffer_.begin() + std::ptrdiff_t(at + count));
  end_ -= count;
  if (mac_ > at)
    mac_ -= std::min<size_t>(count, mac_ - at);
  if (network_ > at)
    network_ -= std::min<size_t>(count, network_ - at);
}

// --- context accesses, as the verifier's is_valid_access callbacks allow them ---

bool SkbContext::readable(uint64_t offset, unsigned size) const {
  if (offset >= sizeof(__sk_buff) || size == 0 || offset % size != 0)
    return false;
  const ir::ProgramType type = programType();
  const bool socketFields = offset >= kFamily && offset <= kLocalPort;
  const bool tcClassid = inField(offset, offsetof(__sk_buff, tc_classid), 4);
  const bool packetPointers = inField(offset, offsetof(__sk_buff, data), 4) ||
                              inField(offset, offsetof(__sk_buff, data_end), 4);
  const bool dataMeta = inField(offset, offsetof(__sk_buff, data_meta), 4);
  const bool tstamp = inField(offset, offsetof(__sk_buff, tstamp), 8);
  const bool wireLen = inField(offset, offsetof(__sk_buff, wire_len), 4);
  const bool hwtstamp = inField(offset, kHwtstamp, 8);
  if (isTc(type) && socketFields)
    return false;
  if (type == ir::ProgramType::SocketFilter &&
      (tcClassid || packetPointers || dataMeta || socketFields || tstamp || wireLen || hwtstamp))
    return false;
  if (type == ir::ProgramType::CgroupSkb && (tcClassid || dataMeta || wireLen))
    return false;
  if (isLwt(type) && (tcClassid || socketFields || dataMeta || tstamp || wireLen || hwtstamp))
    return false;

  // bpf_skb_is_valid_access(): per-field sizes; narrow loads elsewhere.
  if (offset >= kCbBegin && offset < kCbEnd)
    return offset + size <= kCbEnd;
  if ((offset >= kRemoteIp6 && offset < kLocalIp6 + 16) || inField(offset, offsetof(__sk_buff, remote_ip4), 4) ||
      inField(offset, offsetof(__sk_buff, local_ip4), 4) || packetPointers || dataMeta)
    return size == 4;
  if (inField(offset, offsetof(__sk_buff, flow_keys), 8))
    return false;
  if (hwtstamp || tstamp || inField(offset, offsetof(__sk_buff, sk), 8))
    return size == 8;
  if (offset == kTstampType)
    return isTc(type) && size == 1;
  if (offset > kTstampType && offset < kHwtstamp)
    return false;
  return size <= 4;
}

bool SkbContext::writable(uint64_t offset, unsigned size) const {
  if (offset >= sizeof(__sk_buff) || size == 0 || offset % size != 0)
    return false;
  const ir::ProgramType type = programType();
  const bool cb = offset >= kCbBegin && offset < kCbEnd;
  if (cb)
    return offset + size <= kCbEnd;
  const bool tstamp = inField(offset, offsetof(__sk_buff, tstamp), 8);
  if (tstamp)
    return (isTc(type) || type == ir::ProgramType::CgroupSkb) && size == 8;
  if (size != 4)
    return false;
  switch (offset) {
  case offsetof(__sk_buff, mark):
  case offsetof(__sk_buff, priority):
    return type != ir::ProgramType::SocketFilter;
  case offsetof(__sk_buff, tc_index):
  case offsetof(__sk_buff, tc_classid):
  case offsetof(__sk_buff, queue_mapping):
    return isTc(type);
  default:
    return false;
  }
}

bool SkbContext::loadField(uint64_t offset, unsigned size, uint64_t &value) const {
  if (offset >= kCbBegin && offset < kCbEnd) {
    value = 0;
    std::memcpy(&value, reinterpret_cast<const uint8_t *>(cb_.data()) + (offset - kCbBegin), size);
    return true;
  }
  // 64-bit fields are read whole (the access rules allow nothing else).
  switch (offset) {
  case offsetof(__sk_buff, tstamp):
    value = tstamp_;
    return true;
  case kHwtstamp:
    value = hwtstamp_;
    return true;
  case offsetof(__sk_buff, sk):
    // The test run's socket is a kernel object programs can only inspect
    // through helpers this runtime does not provide; reads give NULL.
    value = 0;
    return true;
  case kTstampType:
    value = 0; // BPF_SKB_TSTAMP_UNSPEC
    return true;
  default:
    break;
  }
  // 32-bit fields, possibly read narrowly: the bytes of the field's value
  // at the accessed offset (little-endian, like the kernel's rewrite).
  const uint64_t base = offset & ~uint64_t{3};
  const uint64_t dataAddress = reinterpret_cast<uint64_t>(buffer_.data() + data_);
  uint64_t full = 0;
  switch (base) {
  case offsetof(__sk_buff, len): full = length(); break;
  case offsetof(__sk_buff, pkt_type): full = pktType_; break;
  case offsetof(__sk_buff, mark): full = mark; break;
  case offsetof(__sk_buff, queue_mapping): full = queueMapping_; break;
  case offsetof(__sk_buff, protocol): full = protocol; break;
  case offsetof(__sk_buff, vlan_present): full = vlanTagPresent() ? 1 : 0; break;
  case offsetof(__sk_buff, vlan_tci): full = vlanTci; break;
  case offsetof(__sk_buff, vlan_proto): full = vlanProto; break;
  case offsetof(__sk_buff, priority): full = priority; break;
  case offsetof(__sk_buff, ingress_ifindex): full = ingressIfindex_; break;
  case offsetof(__sk_buff, ifindex): full = ifindex_; break;
  case offsetof(__sk_buff, tc_index): full = tcIndex_; break;
  case offsetof(__sk_buff, hash): full = hash; break;
  case offsetof(__sk_buff, tc_classid): full = tcClassid_; break;
  case offsetof(__sk_buff, data): value = dataAddress; return true;
  case offsetof(__sk_buff, data_end): value = dataAddress + length(); return true;
  case offsetof(__sk_buff, data_meta): value = dataAddress; return true; // no metadata on test skbs
  case offsetof(__sk_buff, napi_id): full = napiId_; break;
  case offsetof(__sk_buff, family): full = family_; break;
  case offsetof(__sk_buff, remote_ip4): full = remoteIp4_; break;
  case offsetof(__sk_buff, local_ip4): full = localIp4_; break;
  case offsetof(__sk_buff, remote_port):
  case offsetof(__sk_buff, local_port): full = 0; break; // the test run's socket is unconnected
  case offsetof(__sk_buff, wire_len): full = wireLen_; break;
  case offsetof(__sk_buff, gso_segs): full = gsoSegs_; break;
  case offsetof(__sk_buff, gso_size): full = gsoSize_; break;
  default:
    if (base >= kRemoteIp6 && base < kRemoteIp6 + 16) {
      full = remoteIp6_[(base - kRemoteIp6) / 4];
      break;
    }
    if (base >= kLocalIp6 && base < kLocalIp6 + 16) {
      full = localIp6_[(base - kLocalIp6) / 4];
      break;
    }
    return false;
  }
  const unsigned shift = unsigned(offset - base) * 8;
  value = (full >> shift) & (size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1);
  return true;
}

bool SkbContext::storeField(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= kCbBegin && offset < kCbEnd) {
    std::memcpy(reinterpret_cast<uint8_t *>(cb_.data()) + (offset - kCbBegin), &value, size);
    return true;
  }
  switch (offset) {
  case offsetof(__sk_buff, tstamp):
    tstamp_ = value;
    return true;
  case offsetof(__sk_buff, mark):
    mark = uint32_t(value);
    return true;
  case offsetof(__sk_buff, priority):
    priority = uint32_t(value);
    return true;
  case offsetof(__sk_buff, tc_index): // a 16-bit field of sk_buff
    tcIndex_ = uint32_t(value) & 0xffff;
    return true;
  case offsetof(__sk_buff, tc_classid): // 16 bits in struct qdisc_skb_cb
    tcClassid_ = uint32_t(value) & 0xffff;
    return true;
  case offsetof(__sk_buff, queue_mapping):
    // The rewrite skips the store of NO_QUEUE_MAPPING and above.
    if (uint32_t(value) < kNoQueueMapping)
      queueMapping_ = uint32_t(value);
    return true;
  default:
    return false;
  }
}

} // namespace ebpfc::runtime

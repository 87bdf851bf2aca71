// struct __sk_buff over a socket buffer set up as BPF_PROG_TEST_RUN sets it up
// (bpf_prog_test_run_skb): the packet received on the loopback device (or
// the ifindex given), skb->protocol and pkt_type from eth_type_trans(), a
// socket whose family and addresses come from the IP header. tc programs
// (sched_cls, sched_act) see the packet from the Ethernet header; socket
// filters, cgroup skb and lwt programs from the network header, and get
// the Ethernet header back as 14 zero bytes in the output, as the kernel
// does.
//
// The buffer grows on demand (skb_change_head/tail, vlan push), so unlike
// XDP packet pointers move; the verifier makes programs reload them after
// such helpers, and stale ones fault in the region check.
#pragma once

#include "runtime/context/PacketContext.h"

#include <array>
#include <vector>

namespace ebpfc::runtime {

class SkbContext final : public PacketContext {
public:
  static constexpr size_t kInitialHeadroom = 64;  // NET_SKB_PAD + NET_IP_ALIGN on x86-64
  static constexpr size_t kTailroom = 320;        // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
  static constexpr size_t kMaxTestPacket = 4096 - kInitialHeadroom - kTailroom; // one page
  static constexpr uint32_t kLoopbackIfindex = 1;
  // __bpf_skb_max_len() on the loopback device: MTU 65536 + 14-byte header.
  static constexpr uint32_t kMaxLength = 65536 + 14;

  static std::unique_ptr<SkbContext> create(ir::ProgramType type, std::span<const uint8_t> packet,
                                            const ContextValues &values, std::string &error);

  Region packetRegion() const override;
  std::vector<uint8_t> outputPacket() const override;
  std::map<std::string, uint64_t> outputFields() const override;

  // --- what helpers work on ---
  // skb->data .. skb->data + skb->len.
  uint8_t *data() { return buffer_.data() + data_; }
  const uint8_t *data() const { return buffer_.data() + data_; }
  uint32_t length() const { return uint32_t(end_ - data_); }
  // Offsets of the MAC and network headers relative to skb->data (negative
  // when the program sees the packet from the network header).
  int64_t macOffset() const { return int64_t(mac_) - int64_t(data_); }
  int64_t networkOffset() const { return int64_t(network_) - int64_t(data_); }
  bool seesLinkLayer() const { return linkLayer_; }

  // skb_ensure_writable()/pskb_may_pull(): the first `length` bytes exist.
  bool mayPull(uint64_t length) const { return length <= this->length(); }
  // Grows or shrinks the packet at the end; new bytes are zero.
  void setLength(uint32_t newLength);
  // Prepends `count` zero bytes (skb_push + memset) and makes them the MAC header.
  void pushHead(uint32_t count);
  // Inserts/removes `count` bytes at `offset` from skb->data.
  void insertBytes(uint32_t offset, uint32_t count);
  void removeBytes(uint32_t offset, uint32_t count);
  void resetMacHeader() { mac_ = data_; }

  // skb fields the helpers change.
  uint16_t protocol = 0;  // skb->protocol as stored (network byte order)
  uint16_t vlanProto = 0; // hardware-accelerated tag: skb->vlan_proto (network order)
  uint16_t vlanTci = 0;   // skb->vlan_tci (host order)
  bool vlanTagPresent() const { return vlanProto != 0 || vlanTci != 0; }
  uint32_t hash = 0;
  bool softwareHash = false; // set by bpf_set_hash / computed by get_hash_recalc
  uint32_t mark = 0;
  uint32_t priority = 0;

private:
  explicit SkbContext(ir::ProgramType type);
  bool setInput(const ContextFieldInfo &field, uint64_t value, std::string &error);

  bool loadField(uint64_t offset, unsigned size, uint64_t &value) const;
  bool storeField(uint64_t offset, unsigned size, uint64_t value);
  bool readable(uint64_t offset, unsigned size) const;
  bool writable(uint64_t offset, unsigned size) const;

  class Accessor final : public ContextAccessor {
  public:
    explicit Accessor(SkbContext &context) : context_(context) {}
    bool load(uint64_t offset, unsigned size, uint64_t &value) override {
      return context_.readable(offset, size) && context_.loadField(offset, size, value);
    }
    bool store(uint64_t offset, unsigned size, uint64_t value) override {
      return context_.writable(offset, size) && context_.storeField(offset, size, value);
    }

  private:
    SkbContext &context_;
  };

  bool linkLayer_ = true; // tc: skb->data at the MAC header
  std::vector<uint8_t> buffer_;
  size_t data_ = 0, end_ = 0, mac_ = 0, network_ = 0;

  uint32_t pktType_ = 0;
  uint32_t queueMapping_ = 0;
  uint32_t ingressIfindex_ = 0;
  uint32_t ifindex_ = kLoopbackIfindex;
  uint32_t tcIndex_ = 0;
  std::array<uint32_t, 5> cb_{};
  uint32_t tcClassid_ = 0;
  uint32_t napiId_ = 0;
  // The test run's socket.
  uint32_t family_ = 0;
  uint32_t remoteIp4_ = 0, localIp4_ = 0;
  std::array<uint32_t, 4> remoteIp6_{}, localIp6_{};
  uint64_t tstamp_ = 0;
  uint32_t wireLen_ = 0;
  uint32_t gsoSegs_ = 0;
  uint32_t gsoSize_ = 0;
  uint64_t hwtstamp_ = 0;

  std::array<uint8_t, 192> uapi_{}; // sizeof(struct __sk_buff): the context's address
  Accessor accessor_{*this};
};

} // namespace ebpfc::runtime

// struct xdp_md over one XDP frame laid out as BPF_PROG_TEST_RUN lays it out
// (net/bpf/test_run.c): a 4096-byte frame, the packet at XDP_PACKET_HEADROOM
// (256), the last 320 bytes reserved for struct skb_shared_info. The frame
// never moves, so packet pointers stay valid across helper calls (the
// verifier makes programs reload them anyway).
#pragma once

#include "runtime/context/PacketContext.h"

#include <array>
#include <memory>

namespace ebpfc::runtime {

class XdpContext final : public PacketContext {
public:
  static constexpr size_t kFrameSize = 4096;
  static constexpr size_t kHeadroom = 256;  // XDP_PACKET_HEADROOM
  static constexpr size_t kTailroom = 320;  // SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64
  static constexpr size_t kFrameHeader = 40; // sizeof(struct xdp_frame): never part of the packet
  static constexpr size_t kMaxPacket = kFrameSize - kHeadroom - kTailroom;
  // xdp_metalen_invalid(): a u8 in struct skb_shared_info holds the length.
  static constexpr size_t kMaxMetadata = 255;
  // The interface the kernel's test run receives on without an ifindex:
  // the loopback device.
  static constexpr uint32_t kLoopbackIfindex = 1;

  // nullptr with `error` for input BPF_PROG_TEST_RUN refuses.
  static std::unique_ptr<XdpContext> create(ir::ProgramType type, uint32_t expectedAttachType,
                                            std::span<const uint8_t> packet, const ContextValues &values,
                                            std::string &error);

  Region packetRegion() const override;
  std::vector<uint8_t> outputPacket() const override;
  std::map<std::string, uint64_t> outputFields() const override;

  // Offsets into the frame.
  size_t dataMeta() const { return meta_; }
  size_t data() const { return data_; }
  size_t dataEnd() const { return end_; }
  uint8_t *frame() { return frame_.get(); }
  const uint8_t *frame() const { return frame_.get(); }
  uint64_t address(size_t offset) const { return reinterpret_cast<uint64_t>(frame_.get() + offset); }

  // The helpers' semantics (net/core/filter.c): 0 or a negative errno.
  long adjustHead(int64_t delta);
  long adjustTail(int64_t delta);
  long adjustMeta(int64_t delta);

  uint32_t ingressIfindex() const { return ingressIfindex_ ? ingressIfindex_ : kLoopbackIfindex; }
  uint32_t rxQueueIndex() const { return rxQueueIndex_; }

private:
  XdpContext(ir::ProgramType type, uint32_t expectedAttachType);

  class Accessor final : public ContextAccessor {
  public:
    explicit Accessor(XdpContext &context) : context_(context) {}
    bool load(uint64_t offset, unsigned size, uint64_t &value) override;
    bool store(uint64_t, unsigned, uint64_t) override { return false; } // xdp_md is read-only
  private:
    XdpContext &context_;
  };

  uint32_t expectedAttachType_;
  std::unique_ptr<uint8_t[]> frame_;
  size_t meta_ = 0, data_ = 0, end_ = 0;
  // As given: ctx_out reports the input values.
  uint32_t ingressIfindex_ = 0;
  uint32_t rxQueueIndex_ = 0;
  std::array<uint8_t, 24> uapi_{}; // sizeof(struct xdp_md): the context's address
  Accessor accessor_{*this};
};

} // namespace ebpfc::runtime

#include "runtime/context/XdpContext.h"

#include <linux/bpf.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace ebpfc::runtime {

namespace {
constexpr uint32_t kXdpDevmapAttach = BPF_XDP_DEVMAP;
constexpr uint32_t kXdpCpumapAttach = BPF_XDP_CPUMAP;
} // namespace

XdpContext::XdpContext(ir::ProgramType type, uint32_t expectedAttachType)
    : PacketContext(ContextKind::Xdp, type), expectedAttachType_(expectedAttachType),
      frame_(new uint8_t[kFrameSize]()) {
  static_assert(sizeof(xdp_md) == std::tuple_size_v<decltype(uapi_)>);
  initContextRegion(uapi_.data(), uapi_.size(), &accessor_);
}

std::unique_ptr<XdpContext> XdpContext::create(ir::ProgramType type, uint32_t expectedAttachType,
                                               std::span<const uint8_t> packet, const ContextValues &values,
                                               std::string &error) {
  if (expectedAttachType == kXdpDevmapAttach || expectedAttachType == kXdpCpumapAttach) {
    error = "XDP programs for devmap or cpumap entries (xdp/devmap, xdp/cpumap) cannot be test-run: "
            "BPF_PROG_TEST_RUN refuses them";
    return nullptr;
  }
  if (packet.size() < kEthernetHeaderSize) {
    error = fmt::format("the packet is {} bytes; BPF_PROG_TEST_RUN needs at least a {}-byte Ethernet header",
                        packet.size(), kEthernetHeaderSize);
    return nullptr;
  }
  if (packet.size() > kMaxPacket) {
    error = fmt::format("the packet is {} bytes; an XDP frame holds at most {} bytes of linear packet data "
                        "(4096 minus {} headroom and {} tailroom); multi-buffer frames are not supported",
                        packet.size(), kMaxPacket, kHeadroom, kTailroom);
    return nullptr;
  }
  std::unique_ptr<XdpContext> context(new XdpContext(type, expectedAttachType));
  for (const auto &[name, value] : values) {
    const ContextFieldInfo *field = findContextField(ContextKind::Xdp, name);
    if (!field || !field->input) {
      error = fmt::format("xdp_md has no input field '{}' (fields: {})", name, inputFieldList(ContextKind::Xdp));
      return nullptr;
    }
    if (value > UINT32_MAX) {
      error = fmt::format("xdp_md.{} is a 32-bit field; {} does not fit", name, value);
      return nullptr;
    }
    if (name == "ingress_ifindex")
      context->ingressIfindex_ = uint32_t(value);
    else if (name == "rx_queue_index")
      context->rxQueueIndex_ = uint32_t(value);
  }
  // xdp_convert_md_to_buff(): a queue needs a device, and the test run's
  // devices have one receive queue each.
  if (context->rxQueueIndex_ != 0) {
    error = context->ingressIfindex_ == 0
                ? "xdp_md.rx_queue_index needs an ingress_ifindex (BPF_PROG_TEST_RUN refuses it alone)"
                : fmt::format("xdp_md.rx_queue_index {} does not exist: the device has one receive queue (index 0)",
                              context->rxQueueIndex_);
    return nullptr;
  }
  context->meta_ = context->data_ = kHeadroom;
  context->end_ = kHeadroom + packet.size();
  std::memcpy(context->frame_.get() + kHeadroom, packet.data(), packet.size());
  return context;
}

Region XdpContext::packetRegion() const {
  return hostRegion(frame_.get() + meta_, end_ - meta_, RegionKind::Packet, "packet");
}

std::vector<uint8_t> XdpContext::outputPacket() const {
  // bpf_prog_test_run_xdp() returns the frame from data_meta.
  return std::vector<uint8_t>(frame_.get() + meta_, frame_.get() + end_);
}

std::map<std::string, uint64_t> XdpContext::outputFields() const {
  // xdp_convert_buff_to_md(): data and data_end relative to data_meta; the
  // other fields come back as they went in.
  return {{"data", data_ - meta_},
          {"data_end", end_ - meta_},
          {"data_meta", 0},
          {"ingress_ifindex", ingressIfindex_},
          {"rx_queue_index", rxQueueIndex_},
          {"egress_ifindex", 0}};
}

long XdpContext::adjustHead(int64_t delta) {
  // The new data must leave room for struct xdp_frame and the metadata in
  // front, and at least an Ethernet header behind.
  const int64_t metaLength = int64_t(data_ - meta_);
  const int64_t newData = int64_t(data_) + delta;
  if (newData < int64_t(kFrameHeader) + metaLength || newData > int64_t(end_) - int64_t(kEthernetHeaderSize))
    return -EINVAL;
  if (metaLength)
    std::memmove(frame_.get() + meta_ + delta, frame_.get() + meta_, size_t(metaLength));
  meta_ = size_t(int64_t(meta_) + delta);
  data_ = size_t(newData);
  return 0;
}

long XdpContext::adjustTail(int64_t delta) {
  const int64_t newEnd = int64_t(end_) + delta;
  if (newEnd > int64_t(kFrameSize - kTailroom) || newEnd < int64_t(data_ + kEthernetHeaderSize))
    return -EINVAL;
  // The kernel clears what the packet grows into.
  if (delta > 0)
    std::memset(frame_.get() + end_, 0, size_t(delta));
  end_ = size_t(newEnd);
  return 0;
}

long XdpContext::adjustMeta(int64_t delta) {
  const int64_t newMeta = int64_t(meta_) + delta;
  if (newMeta < int64_t(kFrameHeader) || newMeta > int64_t(data_))
    return -EINVAL;
  const size_t length = data_ - size_t(newMeta);
  if (length % 4 != 0 || length > kMaxMetadata)
    return -EACCES;
  meta_ = size_t(newMeta);
  return 0;
}

bool XdpContext::Accessor::load(uint64_t offset, unsigned size, uint64_t &value) {
  // The verifier allows only whole 32-bit loads of xdp_md.
  if (size != 4 || offset % 4 != 0)
    return false;
  switch (offset) {
  case offsetof(xdp_md, data):
    value = context_.address(context_.data_);
    return true;
  case offsetof(xdp_md, data_end):
    value = context_.address(context_.end_);
    return true;
  case offsetof(xdp_md, data_meta):
    value = context_.address(context_.meta_);
    return true;
  case offsetof(xdp_md, ingress_ifindex):
    value = context_.ingressIfindex();
    return true;
  case offsetof(xdp_md, rx_queue_index):
    value = context_.rxQueueIndex_;
    return true;
  case offsetof(xdp_md, egress_ifindex):
    // Only devmap programs may read it, and those cannot be test-run.
    return false;
  default:
    return false;
  }
}

} // namespace ebpfc::runtime

// The context emulation on its own: the kernel's access rules per program
// type (what the verifier lets each type read and write, in which sizes),
// 64-bit packet pointers from 32-bit loads, narrow loads, the test run's
// input rules, and the packet moves of the XDP and skb models.
#include "runtime/context/SkbContext.h"
#include "runtime/context/XdpContext.h"

#include <linux/bpf.h>

#include <gtest/gtest.h>

#include <cstddef>

namespace ebpfc::runtime {
namespace {

const std::vector<uint8_t> kPacket = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
                                      0x08, 0x00, 0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x40, 0x00, 0x40, 0x3b,
                                      0x26, 0xb0, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};

std::unique_ptr<PacketContext> make(ir::ProgramType type, const ContextValues &values = {}) {
  std::string error;
  std::unique_ptr<PacketContext> context = createPacketContext(type, 0, kPacket, values, error);
  EXPECT_TRUE(context) << error;
  return context;
}

bool load(PacketContext &context, uint64_t offset, unsigned size, uint64_t &value) {
  return context.contextRegion().accessor->load(offset, size, value);
}
bool canLoad(PacketContext &context, uint64_t offset, unsigned size) {
  uint64_t value;
  return load(context, offset, size, value);
}
bool store(PacketContext &context, uint64_t offset, unsigned size, uint64_t value) {
  return context.contextRegion().accessor->store(offset, size, value);
}

TEST(XdpContext, PointersAreFullHostAddresses) {
  auto context = make(ir::ProgramType::Xdp);
  ASSERT_TRUE(context);
  uint64_t data = 0, dataEnd = 0, meta = 0, ifindex = 0;
  ASSERT_TRUE(load(*context, offsetof(xdp_md, data), 4, data));
  ASSERT_TRUE(load(*context, offsetof(xdp_md, data_end), 4, dataEnd));
  ASSERT_TRUE(load(*context, offsetof(xdp_md, data_meta), 4, meta));
  ASSERT_TRUE(load(*context, offsetof(xdp_md, ingress_ifindex), 4, ifindex));
  EXPECT_EQ(dataEnd - data, kPacket.size());
  EXPECT_EQ(meta, data);
  EXPECT_GT(data, uint64_t{UINT32_MAX}); // a host pointer, not a 32-bit offset
  EXPECT_EQ(context->packetRegion().begin, data);
  EXPECT_EQ(ifindex, 1u); // the loopback device, as the test run uses
}

TEST(XdpContext, OnlyWhole32BitReads) {
  auto context = make(ir::ProgramType::Xdp);
  ASSERT_TRUE(context);
  EXPECT_FALSE(canLoad(*context, offsetof(xdp_md, data), 8));
  EXPECT_FALSE(canLoad(*context, offsetof(xdp_md, ingress_ifindex), 2));
  EXPECT_FALSE(canLoad(*context, 2, 4));
  EXPECT_FALSE(canLoad(*context, offsetof(xdp_md, egress_ifindex), 4)); // devmap programs only
  EXPECT_FALSE(canLoad(*context, 24, 4));
  EXPECT_FALSE(store(*context, offsetof(xdp_md, rx_queue_index), 4, 1));
}

TEST(XdpContext, InputRules) {
  std::string error;
  EXPECT_FALSE(createPacketContext(ir::ProgramType::Xdp, 0, std::vector<uint8_t>(13), {}, error));
  EXPECT_NE(error.find("14-byte"), std::string::npos);
  EXPECT_FALSE(createPacketContext(ir::ProgramType::Xdp, 0, std::vector<uint8_t>(XdpContext::kMaxPacket + 1), {}, error));
  EXPECT_FALSE(createPacketContext(ir::ProgramType::Xdp, 0, kPacket, {{"rx_queue_index", 1}}, error));
  EXPECT_FALSE(createPacketContext(ir::ProgramType::Xdp, 0, kPacket, {{"mark", 1}}, error));
  EXPECT_FALSE(createPacketContext(ir::ProgramType::Xdp, BPF_XDP_DEVMAP, kPacket, {}, error));
  EXPECT_TRUE(createPacketContext(ir::ProgramType::Xdp, 0, kPacket, {{"ingress_ifindex", 4}}, error)) << error;
}

TEST(XdpContext, HeadTailAndMetadataMoves) {
  std::string error;
  auto xdp = XdpContext::create(ir::ProgramType::Xdp, 0, kPacket, {}, error);
  ASSERT_TRUE(xdp) << error;
  EXPECT_EQ(xdp->adjustHead(-int64_t(XdpContext::kHeadroom - XdpContext::kFrameHeader)), 0);
  EXPECT_EQ(xdp->adjustHead(-1), -EINVAL);
  EXPECT_EQ(xdp->adjustHead(int64_t(XdpContext::kHeadroom - XdpContext::kFrameHeader)), 0);
  EXPECT_EQ(xdp->adjustMeta(-8), 0);
  EXPECT_EQ(xdp->adjustMeta(-2), -EACCES);
  EXPECT_EQ(xdp->outputPacket().size(), kPacket.size() + 8); // from data_meta
  EXPECT_EQ(xdp->adjustTail(-int64_t(kPacket.size()) + 14), 0);
  EXPECT_EQ(xdp->adjustTail(-1), -EINVAL);
  EXPECT_EQ(xdp->outputFields().at("data"), 8u);
}

TEST(SkbContext, TcSeesTheLinkLayerAndTheKernelsFieldValues) {
  auto context = make(ir::ProgramType::SchedCls, {{"mark", 5}, {"cb3", 9}});
  ASSERT_TRUE(context);
  uint64_t value = 0;
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, len), 4, value));
  EXPECT_EQ(value, kPacket.size());
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, protocol), 4, value));
  EXPECT_EQ(value, 0x0008u); // stored in network byte order
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, pkt_type), 4, value));
  EXPECT_EQ(value, 3u); // PACKET_OTHERHOST
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, mark), 4, value));
  EXPECT_EQ(value, 5u);
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, cb) + 12, 4, value));
  EXPECT_EQ(value, 9u);
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, len), 1, value)); // narrow
  EXPECT_EQ(value, kPacket.size());
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, protocol) + 1, 1, value));
  EXPECT_EQ(value, 0u);
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, wire_len), 4, value));
  EXPECT_EQ(value, kPacket.size());
  uint64_t data = 0, dataEnd = 0;
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, data), 4, data));
  ASSERT_TRUE(load(*context, offsetof(__sk_buff, data_end), 4, dataEnd));
  EXPECT_EQ(dataEnd - data, kPacket.size());
  EXPECT_EQ(context->outputPacket(), kPacket);
}

TEST(SkbContext, AccessRulesPerProgramType) {
  auto tc = make(ir::ProgramType::SchedCls);
  auto filter = make(ir::ProgramType::SocketFilter);
  auto cgroup = make(ir::ProgramType::CgroupSkb);
  ASSERT_TRUE(tc && filter && cgroup);
  // Sizes.
  EXPECT_FALSE(canLoad(*tc, offsetof(__sk_buff, mark), 8));
  EXPECT_FALSE(canLoad(*tc, offsetof(__sk_buff, data), 2));
  EXPECT_FALSE(canLoad(*tc, offsetof(__sk_buff, tstamp), 4));
  EXPECT_TRUE(canLoad(*tc, offsetof(__sk_buff, tstamp), 8));
  EXPECT_TRUE(canLoad(*tc, offsetof(__sk_buff, cb), 8));
  EXPECT_FALSE(canLoad(*tc, offsetof(__sk_buff, flow_keys), 8));
  EXPECT_FALSE(canLoad(*tc, offsetof(__sk_buff, mark) + 1, 2)); // misaligned
  // Reads by type.
  EXPECT_FALSE(canLoad(*tc, offsetof(__sk_buff, family), 4));
  EXPECT_TRUE(canLoad(*cgroup, offsetof(__sk_buff, family), 4));
  EXPECT_FALSE(canLoad(*filter, offsetof(__sk_buff, data), 4));
  EXPECT_FALSE(canLoad(*filter, offsetof(__sk_buff, tc_classid), 4));
  EXPECT_FALSE(canLoad(*cgroup, offsetof(__sk_buff, data_meta), 4));
  // Writes by type.
  EXPECT_TRUE(store(*tc, offsetof(__sk_buff, mark), 4, 1));
  EXPECT_TRUE(store(*tc, offsetof(__sk_buff, tc_index), 4, 1));
  EXPECT_FALSE(store(*tc, offsetof(__sk_buff, len), 4, 1));
  EXPECT_FALSE(store(*tc, offsetof(__sk_buff, mark), 2, 1));
  EXPECT_FALSE(store(*filter, offsetof(__sk_buff, mark), 4, 1));
  EXPECT_TRUE(store(*filter, offsetof(__sk_buff, cb) + 2, 2, 1));
  EXPECT_TRUE(store(*cgroup, offsetof(__sk_buff, priority), 4, 1));
  EXPECT_FALSE(store(*cgroup, offsetof(__sk_buff, tc_index), 4, 1));
}

TEST(SkbContext, SocketFiltersSeeTheNetworkHeader) {
  auto filter = make(ir::ProgramType::SocketFilter);
  ASSERT_TRUE(filter);
  uint64_t length = 0;
  ASSERT_TRUE(load(*filter, offsetof(__sk_buff, len), 4, length));
  EXPECT_EQ(length, kPacket.size() - 14);
  EXPECT_EQ(filter->packetRegion().size, kPacket.size() - 14);
  // The test run hands the Ethernet header back zeroed.
  const std::vector<uint8_t> output = filter->outputPacket();
  ASSERT_EQ(output.size(), kPacket.size());
  EXPECT_EQ(std::vector<uint8_t>(output.begin(), output.begin() + 14), std::vector<uint8_t>(14, 0));
}

TEST(SkbContext, InputRules) {
  std::string error;
  EXPECT_FALSE(createPacketContext(ir::ProgramType::SchedCls, 0, kPacket, {{"wire_len", 10}}, error));
  EXPECT_NE(error.find("wire_len"), std::string::npos);
  EXPECT_FALSE(createPacketContext(ir::ProgramType::SchedCls, 0, kPacket, {{"gso_segs", 70000}}, error));
  EXPECT_FALSE(createPacketContext(ir::ProgramType::SchedCls, 0, kPacket, {{"data", 1}}, error));
  EXPECT_FALSE(createPacketContext(ir::ProgramType::SchedCls, 0, kPacket, {{"mark", uint64_t(1) << 32}}, error));
  EXPECT_FALSE(createPacketContext(ir::ProgramType::Kprobe, 0, kPacket, {}, error));
  EXPECT_NE(error.find("do not run on packets"), std::string::npos);
  // ebpfvm-only inputs are marked as such for the kernel engine.
  const ContextFieldInfo *hash = findContextField(ContextKind::Skb, "hash");
  ASSERT_NE(hash, nullptr);
  EXPECT_TRUE(hash->input);
  EXPECT_FALSE(hash->kernelInput);
}

TEST(SkbContext, PacketGrowsAndShrinks) {
  std::string error;
  auto skb = SkbContext::create(ir::ProgramType::SchedCls, kPacket, {}, error);
  ASSERT_TRUE(skb) << error;
  skb->pushHead(200); // more than the initial headroom
  EXPECT_EQ(skb->length(), kPacket.size() + 200);
  EXPECT_EQ(skb->data()[0], 0);
  EXPECT_EQ(skb->data()[200], kPacket[0]);
  EXPECT_EQ(skb->macOffset(), 0);
  skb->setLength(1000);
  EXPECT_EQ(skb->length(), 1000u);
  EXPECT_EQ(skb->data()[999], 0);
  skb->removeBytes(0, 200);
  EXPECT_EQ(std::vector<uint8_t>(skb->data(), skb->data() + kPacket.size()), kPacket);
}

} // namespace
} // namespace ebpfc::runtime

#include "runtime/context/PacketContext.h"

#include "runtime/context/SkbContext.h"
#include "runtime/context/XdpContext.h"

#include <linux/bpf.h>

#include <fmt/format.h>

#include <cstddef>

namespace ebpfc::runtime {

namespace {

#define XDP_FIELD(field, input, output) ContextFieldInfo{#field, offsetof(xdp_md, field), 4, input, output, true}
const ContextFieldInfo kXdpFields[] = {
    XDP_FIELD(data, false, true),
    XDP_FIELD(data_end, false, true),
    XDP_FIELD(data_meta, false, true),
    XDP_FIELD(ingress_ifindex, true, true),
    XDP_FIELD(rx_queue_index, true, true),
    XDP_FIELD(egress_ifindex, false, true),
};
#undef XDP_FIELD

#define SKB_FIELD(field, input, output, kernelInput)                                                               \
  ContextFieldInfo { #field, offsetof(__sk_buff, field), sizeof(__sk_buff::field), input, output, kernelInput }
#define SKB_CB(index) ContextFieldInfo{"cb" #index, uint32_t(offsetof(__sk_buff, cb) + (index) * 4), 4, true, true, true}
const ContextFieldInfo kSkbFields[] = {
    SKB_FIELD(mark, true, true, true),
    SKB_FIELD(priority, true, true, true),
    SKB_FIELD(ingress_ifindex, true, true, true),
    SKB_FIELD(ifindex, true, true, true),
    SKB_CB(0),
    SKB_CB(1),
    SKB_CB(2),
    SKB_CB(3),
    SKB_CB(4),
    SKB_FIELD(tstamp, true, true, true),
    SKB_FIELD(wire_len, true, true, true),
    SKB_FIELD(gso_segs, true, true, true),
    SKB_FIELD(gso_size, true, true, true),
    SKB_FIELD(hwtstamp, true, true, true),
    // ebpfvm-only inputs: state a real skb may carry into the program.
    SKB_FIELD(hash, true, false, false),
    SKB_FIELD(queue_mapping, true, false, false),
    SKB_FIELD(tc_index, true, false, false),
    SKB_FIELD(tc_classid, true, false, false),
    SKB_FIELD(napi_id, true, false, false),
    SKB_FIELD(vlan_tci, true, false, false),
    SKB_FIELD(vlan_proto, true, false, false),
};
#undef SKB_FIELD
#undef SKB_CB

} // namespace

std::string_view contextKindName(ContextKind kind) { return kind == ContextKind::Xdp ? "xdp_md" : "__sk_buff"; }

std::optional<ContextKind> contextKindFor(ir::ProgramType type) {
  switch (type) {
  case ir::ProgramType::Xdp:
    return ContextKind::Xdp;
  case ir::ProgramType::SchedCls:
  case ir::ProgramType::SchedAct:
  case ir::ProgramType::SocketFilter:
  case ir::ProgramType::CgroupSkb:
  case ir::ProgramType::LwtIn:
  case ir::ProgramType::LwtOut:
  case ir::ProgramType::LwtXmit:
    return ContextKind::Skb;
  default:
    return std::nullopt;
  }
}

std::span<const ContextFieldInfo> contextFieldsOf(ContextKind kind) {
  if (kind == ContextKind::Xdp)
    return kXdpFields;
  return kSkbFields;
}

const ContextFieldInfo *findContextField(ContextKind kind, std::string_view name) {
  for (const ContextFieldInfo &field : contextFieldsOf(kind))
    if (field.name == name)
      return &field;
  return nullptr;
}

std::string inputFieldList(ContextKind kind) {
  std::string list;
  for (const ContextFieldInfo &field : contextFieldsOf(kind))
    if (field.input)
      list += (list.empty() ? "" : ", ") + std::string(field.name);
  return list;
}

void PacketContext::initContextRegion(const void *storage, uint64_t size, ContextAccessor *accessor) {
  contextRegion_ = hostRegion(storage, size, RegionKind::Context, contextKindName(kind_));
  contextRegion_.accessor = accessor;
}

std::unique_ptr<PacketContext> createPacketContext(ir::ProgramType programType, uint32_t expectedAttachType,
                                                   std::span<const uint8_t> packet, const ContextValues &values,
                                                   std::string &error) {
  const std::optional<ContextKind> kind = contextKindFor(programType);
  if (!kind) {
    error = fmt::format("{} programs do not run on packets (ebpfvm runs xdp and __sk_buff programs: "
                        "xdp, tc, socket filters, cgroup skb, lwt)",
                        ir::programTypeName(programType));
    return nullptr;
  }
  if (*kind == ContextKind::Xdp)
    return XdpContext::create(programType, expectedAttachType, packet, values, error);
  return SkbContext::create(programType, packet, values, error);
}

} // namespace ebpfc::runtime

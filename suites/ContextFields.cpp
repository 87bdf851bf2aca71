#include "suites/ContextFields.h"

#include <linux/bpf.h>

#include <cstddef>

namespace ebpfc::suites {
namespace {

#define XDP_FIELD(field, writable) \
  ContextField{#field, ContextKind::Xdp, offsetof(xdp_md, field), sizeof(xdp_md::field), writable}
#define SKB_FIELD(field, writable) \
  ContextField{#field, ContextKind::Skb, offsetof(__sk_buff, field), sizeof(__sk_buff::field), writable}
#define SKB_CB(index)                                                                                              \
  ContextField{"cb" #index, ContextKind::Skb, uint32_t(offsetof(__sk_buff, cb) + (index) * sizeof(__u32)),         \
               sizeof(__u32), true}

const ContextField kFields[] = {
    XDP_FIELD(ingress_ifindex, false),
    XDP_FIELD(rx_queue_index, false),
    SKB_FIELD(mark, true),
    SKB_FIELD(priority, true),
    SKB_FIELD(ingress_ifindex, false),
    SKB_FIELD(ifindex, false),
    SKB_CB(0),
    SKB_CB(1),
    SKB_CB(2),
    SKB_CB(3),
    SKB_CB(4),
    SKB_FIELD(tstamp, true),
    SKB_FIELD(wire_len, false),
    SKB_FIELD(gso_segs, false),
    SKB_FIELD(gso_size, false),
    SKB_FIELD(hwtstamp, false),
};

#undef XDP_FIELD
#undef SKB_FIELD
#undef SKB_CB

} // namespace

std::span<const ContextField> contextFields() { return kFields; }

const ContextField *findContextField(ContextKind kind, std::string_view name) {
  for (const ContextField &field : kFields)
    if (field.kind == kind && field.name == name)
      return &field;
  return nullptr;
}

bool isContextFieldName(std::string_view name) {
  return findContextField(ContextKind::Xdp, name) || findContextField(ContextKind::Skb, name);
}

std::string_view contextKindName(ContextKind kind) {
  return kind == ContextKind::Xdp ? "xdp_md" : "__sk_buff";
}

} // namespace ebpfc::suites

// Checksum helpers: bpf_csum_diff, bpf_l3_csum_replace, bpf_l4_csum_replace,
// bpf_csum_update, as net/core/filter.c computes them. Test-run packets are
// CHECKSUM_NONE, so BPF_F_PSEUDO_HDR (which only adjusts skb->csum of
// CHECKSUM_COMPLETE/PARTIAL packets) leaves the checksum field's update as
// without the flag, exactly as in the kernel's test run.
#include "runtime/helpers/Checksum.h"
#include "runtime/helpers/HelperSupport.h"

#include <cerrno>

namespace ebpfc::runtime::helpers {

namespace {

constexpr uint64_t kHeaderFieldMask = 0xf;   // BPF_F_HDR_FIELD_MASK
constexpr uint64_t kPseudoHeader = 1 << 4;   // BPF_F_PSEUDO_HDR
constexpr uint64_t kMarkMangled0 = 1 << 5;   // BPF_F_MARK_MANGLED_0
constexpr uint64_t kMarkEnforce = 1 << 6;    // BPF_F_MARK_ENFORCE
constexpr uint64_t kIpv6 = 1 << 7;           // BPF_F_IPV6 (pseudo-header of IPv6 packets)
constexpr uint16_t kMangled0 = 0xffff;       // CSUM_MANGLED_0

uint64_t csumDiff(HelperCall &call) {
  const uint64_t fromSize = uint32_t(call.arg(2)), toSize = uint32_t(call.arg(4));
  const uint32_t seed = uint32_t(call.arg(5));
  const auto from = call.readableMemory(call.arg(1), fromSize);
  if (!from)
    return 0;
  const auto to = call.readableMemory(call.arg(3), toSize);
  if (!to)
    return 0;
  // Linux 6.13 and later take any sizes (the verifier bounds them by the
  // memory passed) and fold the result to 16 bits.
  if (fromSize && toSize)
    return checksum::from32to16(checksum::sub(checksum::partial(*to, seed), checksum::partial(*from, 0)));
  if (toSize)
    return checksum::from32to16(checksum::partial(*to, seed));
  if (fromSize)
    return checksum::from32to16(~checksum::partial(*from, ~seed));
  return seed;
}

// The checksum field at `offset` (two bytes, even offset) of the packet, or
// an errno.
long checksumField(SkbContext &skb, uint64_t offset, uint8_t *&field) {
  if (offset > 0xffff || (offset & 1))
    return -EFAULT;
  if (!skb.mayPull(offset + 2))
    return -EFAULT;
  field = skb.data() + offset;
  return 0;
}

uint64_t l3Replace(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint64_t offset = uint32_t(call.arg(2)), from = call.arg(3), to = call.arg(4), flags = call.arg(5);
  if (flags & ~kHeaderFieldMask)
    return error(-EINVAL);
  uint8_t *field = nullptr;
  if (const long result = checksumField(*skb, offset, field))
    return error(result);
  switch (flags & kHeaderFieldMask) {
  case 0:
    if (from != 0)
      return error(-EINVAL);
    checksum::replaceByDiff(field, uint32_t(to));
    break;
  case 2:
    checksum::replace2(field, uint16_t(from), uint16_t(to));
    break;
  case 4:
    checksum::replace4(field, uint32_t(from), uint32_t(to));
    break;
  default:
    return error(-EINVAL);
  }
  return 0;
}

uint64_t l4Replace(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  if (!skb)
    return 0;
  const uint64_t offset = uint32_t(call.arg(2)), from = call.arg(3), to = call.arg(4), flags = call.arg(5);
  if (flags & ~(kMarkMangled0 | kMarkEnforce | kPseudoHeader | kHeaderFieldMask | kIpv6))
    return error(-EINVAL);
  uint8_t *field = nullptr;
  if (const long result = checksumField(*skb, offset, field))
    return error(result);
  // BPF_F_MARK_MANGLED_0: a zero checksum (UDP: "none") stays zero unless
  // enforced, and a result of zero is written as 0xffff.
  const bool mangled0 = flags & kMarkMangled0;
  if (mangled0 && !(flags & kMarkEnforce) && checksum::load16(field) == 0)
    return 0;
  // inet_proto_csum_replace*() on a CHECKSUM_NONE packet: the plain replace,
  // the 16-bit form widened to 32 bits.
  switch (flags & kHeaderFieldMask) {
  case 0:
    if (from != 0)
      return error(-EINVAL);
    checksum::replaceByDiff(field, uint32_t(to));
    break;
  case 2:
    checksum::replace4(field, uint16_t(from), uint16_t(to));
    break;
  case 4:
    checksum::replace4(field, uint32_t(from), uint32_t(to));
    break;
  default:
    return error(-EINVAL);
  }
  if (mangled0 && checksum::load16(field) == 0)
    checksum::store16(field, kMangled0);
  return 0;
}

// bpf_csum_update() adds to skb->csum of CHECKSUM_COMPLETE packets only;
// test-run packets are not.
uint64_t csumUpdate(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  SkbContext *skb = run ? skbArgument(call, *run, 1) : nullptr;
  return skb ? error(-kENotSupp) : 0;
}

} // namespace

void addChecksumHelpers(HelperRegistry &registry) {
  registry.add(28, "", csumDiff);
  registry.add(10, "", l3Replace);
  registry.add(11, "", l4Replace);
  registry.add(40, "", csumUpdate);
}

} // namespace ebpfc::runtime::helpers

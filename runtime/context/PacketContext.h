// The context a packet program receives (struct xdp_md or struct __sk_buff)
// and the packet behind it, emulated the way the kernel sets them up for
// BPF_PROG_TEST_RUN and rewrites the program's context accesses:
//  - the context is a region with a ContextAccessor, so a 32-bit load of
//    data/data_end yields a full 64-bit packet pointer, narrow loads work
//    where the verifier allows them, and stores reach only the fields the
//    program type may write (anything else faults);
//  - the packet is a region the program reads and writes directly, with the
//    headroom and tailroom the kernel's test run provides, so helpers that
//    move its bounds (xdp_adjust_head, skb_change_tail, ...) behave and fail
//    like the kernel's.
// Helpers reach the concrete context (XdpContext, SkbContext) through kind().
#pragma once

#include "ir/ProgramType.h"
#include "runtime/vm/Memory.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ebpfc::runtime {

enum class ContextKind : uint8_t {
  Xdp, // struct xdp_md
  Skb, // struct __sk_buff
};
std::string_view contextKindName(ContextKind kind); // "xdp_md", "__sk_buff"

// The context of a program type, or nullopt for types that do not run on
// packets (kprobes, tracepoints, ...).
std::optional<ContextKind> contextKindFor(ir::ProgramType type);

// A field a run may set ("input") and reports after the run ("output"), by
// its C name in the UAPI structure ("cb0".."cb4" for __sk_buff.cb[]).
struct ContextFieldInfo {
  std::string_view name;
  uint32_t offset = 0; // in the UAPI structure
  uint32_t size = 4;
  // BPF_PROG_TEST_RUN accepts the field in ctx_in (or ebpfvm does: see
  // `kernelInput`) ...
  bool input = false;
  // ... and reports it in ctx_out.
  bool output = false;
  // false for inputs the kernel's test run refuses to take (ebpfvm-only
  // conveniences such as the skb hash); the kernel engine rejects them.
  bool kernelInput = true;
};
std::span<const ContextFieldInfo> contextFieldsOf(ContextKind kind);
const ContextFieldInfo *findContextField(ContextKind kind, std::string_view name);
// "mark, priority, ..." (the input fields), for error messages.
std::string inputFieldList(ContextKind kind);

// Context field values by name, in the order given.
using ContextValues = std::vector<std::pair<std::string, uint64_t>>;

// Packet sizes BPF_PROG_TEST_RUN takes for packet programs.
inline constexpr size_t kEthernetHeaderSize = 14;

class PacketContext {
public:
  virtual ~PacketContext() = default;
  PacketContext(const PacketContext &) = delete;
  PacketContext &operator=(const PacketContext &) = delete;

  ContextKind kind() const { return kind_; }
  ir::ProgramType programType() const { return programType_; }

  // The address the program gets in r1, and the region behind it.
  uint64_t contextAddress() const { return contextRegion_.begin; }
  const Region &contextRegion() const { return contextRegion_; }
  // The packet bytes the program may touch now (XDP: from data_meta).
  virtual Region packetRegion() const = 0;

  // What BPF_PROG_TEST_RUN returns as data_out and ctx_out.
  virtual std::vector<uint8_t> outputPacket() const = 0;
  virtual std::map<std::string, uint64_t> outputFields() const = 0;

protected:
  PacketContext(ContextKind kind, ir::ProgramType programType) : kind_(kind), programType_(programType) {}
  // Sets up contextRegion_ over `storage` (which gives the region a unique
  // host address) with `accessor` serving every access.
  void initContextRegion(const void *storage, uint64_t size, ContextAccessor *accessor);

private:
  ContextKind kind_;
  ir::ProgramType programType_;
  Region contextRegion_;
};

// The context for one run of a program of `programType` (and expected
// attach type) on `packet`, with input fields `values` (names from
// contextFieldsOf). nullptr with `error` when the kernel's test run would
// refuse the input (too short, unknown or invalid field), saying what is
// wrong.
std::unique_ptr<PacketContext> createPacketContext(ir::ProgramType programType, uint32_t expectedAttachType,
                                                   std::span<const uint8_t> packet, const ContextValues &values,
                                                   std::string &error);

} // namespace ebpfc::runtime

// Helpers whose output leaves the program: bpf_trace_printk (and vprintk,
// snprintf) into the run's captured trace lines, perf event and ring buffer
// records into their maps (runtime/exec collects them after the run).
#include "runtime/helpers/HelperSupport.h"
#include "runtime/helpers/PrintfFormat.h"
#include "runtime/maps/PerfEventArrayMap.h"
#include "runtime/maps/RingBufMap.h"

#include <cerrno>
#include <cstring>

namespace ebpfc::runtime::helpers {

namespace {

constexpr size_t kTracePrintkSize = 1024; // BPF_TRACE_PRINTK_SIZE
constexpr uint32_t kMaxPrintfArgs = 12;    // MAX_BPRINTF_VARARGS

class CallMemory final : public PrintfMemory {
public:
  explicit CallMemory(HelperCall &call) : call_(call) {}
  std::optional<std::string> string(uint64_t address, size_t limit) override {
    return probeString(call_, address, limit);
  }
  bool bytes(uint64_t address, size_t size, uint8_t *out) override {
    const auto memory = call_.probeReadableMemory(address, size);
    if (!memory)
      return false;
    std::memcpy(out, memory->data(), size);
    return true;
  }

private:
  HelperCall &call_;
};

// The format argument: `size` bytes that must contain a NUL; the text before it.
std::optional<std::string_view> formatArgument(HelperCall &call, uint64_t address, uint64_t size) {
  const auto bytes = call.readableMemory(address, size);
  if (!bytes)
    return std::nullopt;
  const void *nul = std::memchr(bytes->data(), 0, bytes->size());
  if (!nul)
    return std::nullopt;
  return std::string_view(reinterpret_cast<const char *>(bytes->data()),
                          size_t(static_cast<const uint8_t *>(nul) - bytes->data()));
}

// Appends the formatted message as one trace line (without its newline)
// and returns what bpf_trace_printk returns: the message length, or -EINVAL.
uint64_t trace(HelperCall &call, HelperContext &run, std::string_view format, std::span<const uint64_t> args) {
  CallMemory memory(call);
  PrintfResult result = formatBpfPrintf(format, args, memory);
  if (!result.ok())
    return error(-EINVAL);
  const size_t length = result.text.size();
  if (result.text.size() > kTracePrintkSize - 1)
    result.text.resize(kTracePrintkSize - 1);
  if (!result.text.empty() && result.text.back() == '\n')
    result.text.pop_back();
  run.trace.push_back(std::move(result.text));
  return length;
}

uint64_t tracePrintk(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  const std::optional<std::string_view> format = formatArgument(call, call.arg(1), uint32_t(call.arg(2)));
  if (!format)
    return call.readableMemory(call.arg(1), uint32_t(call.arg(2))) ? error(-EINVAL) : 0;
  const uint64_t args[] = {call.arg(3), call.arg(4), call.arg(5)};
  return trace(call, *run, *format, args);
}

// The u64 argument array of bpf_trace_vprintk and bpf_snprintf.
std::optional<std::vector<uint64_t>> argumentArray(HelperCall &call, uint64_t address, uint64_t length,
                                                   bool &invalid) {
  invalid = length % 8 != 0 || length / 8 > kMaxPrintfArgs || (length && !address);
  if (invalid)
    return std::vector<uint64_t>();
  const auto bytes = call.readableMemory(address, length);
  if (!bytes)
    return std::nullopt;
  std::vector<uint64_t> args(length / 8);
  std::memcpy(args.data(), bytes->data(), length);
  return args;
}

uint64_t traceVprintk(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  bool invalid = false;
  const auto args = argumentArray(call, call.arg(3), uint32_t(call.arg(4)), invalid);
  if (!args)
    return 0;
  if (invalid)
    return error(-EINVAL);
  const std::optional<std::string_view> format = formatArgument(call, call.arg(1), uint32_t(call.arg(2)));
  if (!format)
    return call.readableMemory(call.arg(1), uint32_t(call.arg(2))) ? error(-EINVAL) : 0;
  return trace(call, *run, *format, *args);
}

// bpf_snprintf(str, size, fmt, data, len): the formatted text, cut to fit
// and NUL-terminated; returns its untruncated length plus one.
uint64_t snprintfHelper(HelperCall &call) {
  const uint64_t size = uint32_t(call.arg(2));
  const auto out = call.writableMemory(call.arg(1), size);
  if (!out)
    return 0;
  bool invalid = false;
  const auto args = argumentArray(call, call.arg(4), uint32_t(call.arg(5)), invalid);
  if (!args)
    return 0;
  const std::optional<std::string> format = probeString(call, call.arg(3), 4096);
  if (invalid || !format)
    return error(-EINVAL);
  CallMemory memory(call);
  const PrintfResult result = formatBpfPrintf(*format, *args, memory);
  if (!result.ok())
    return error(-EINVAL);
  if (size) {
    const size_t copied = std::min<size_t>(result.text.size(), size - 1);
    std::memcpy(out->data(), result.text.data(), copied);
    (*out)[copied] = 0;
  }
  return result.text.size() + 1;
}

// bpf_perf_event_output(ctx, map, flags, data, size); XDP and skb programs
// may append packet bytes (the BPF_F_CTXLEN_MASK bits of flags) after data.
uint64_t perfEventOutput(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  Map *map = run ? mapArgument(call, 2) : nullptr;
  if (!map)
    return 0;
  const uint64_t flags = call.arg(3);
  const auto data = call.readableMemory(call.arg(4), call.arg(5));
  if (!data)
    return 0;
  PerfEventArrayMap *perf = map->as<PerfEventArrayMap>();
  if (!perf) {
    call.fault("argument 2 must be a BPF_MAP_TYPE_PERF_EVENT_ARRAY map");
    return 0;
  }
  std::vector<uint8_t> record(data->begin(), data->end());
  const uint64_t packetBytes = (flags & PerfEventArrayMap::kCtxLenMask) >> 32;
  if (run->packet && call.arg(1) == run->packet->contextAddress()) {
    if (flags & ~(PerfEventArrayMap::kCtxLenMask | PerfEventArrayMap::kIndexMask))
      return error(-EINVAL);
    const Region packet = run->packet->packetRegion();
    uint64_t start = packet.begin;
    if (run->packet->kind() == ContextKind::Xdp) {
      const auto &xdp = *static_cast<XdpContext *>(run->packet);
      start = xdp.address(xdp.data());
    }
    const uint64_t available = packet.end() - start;
    if (packetBytes > available)
      return error(-EFAULT);
    const auto *bytes = reinterpret_cast<const uint8_t *>(start);
    record.insert(record.end(), bytes, bytes + packetBytes);
  } else if (packetBytes) {
    return error(-EINVAL);
  }
  return error(perf->output(flags & ~PerfEventArrayMap::kCtxLenMask, run->cpu, record.data(), record.size()));
}

RingBufMap *ringArgument(HelperCall &call, unsigned index) {
  Map *map = mapArgument(call, index);
  if (!map)
    return nullptr;
  if (RingBufMap *ring = map->as<RingBufMap>())
    return ring;
  call.fault("argument " + std::to_string(index) + " must be a BPF_MAP_TYPE_RINGBUF map");
  return nullptr;
}

uint64_t ringbufOutput(HelperCall &call) {
  RingBufMap *ring = ringArgument(call, 1);
  if (!ring)
    return 0;
  const auto data = call.readableMemory(call.arg(2), call.arg(3));
  if (!data)
    return 0;
  return error(ring->output(data->data(), data->size(), call.arg(4)));
}

uint64_t ringbufReserve(HelperCall &call) {
  RingBufMap *ring = ringArgument(call, 1);
  return ring ? reinterpret_cast<uint64_t>(ring->reserve(call.arg(2), call.arg(3))) : 0;
}

// Submit and discard name the sample only: the ring that reserved it
// commits it.
template <bool submit> uint64_t ringbufCommit(HelperCall &call) {
  HelperContext *run = HelperContext::from(call);
  if (!run)
    return 0;
  void *sample = reinterpret_cast<void *>(call.arg(1));
  MemoryRegion region;
  for (Map *map : run->maps)
    if (RingBufMap *ring = map->as<RingBufMap>(); ring && ring->findValueRegion(sample, 1, region)) {
      const long result = submit ? ring->submit(sample, call.arg(2)) : ring->discard(sample, call.arg(2));
      if (result)
        call.fault("argument 1 is not the start of a pending ring buffer reservation");
      return 0;
    }
  call.fault("argument 1 is not a pending ring buffer reservation");
  return 0;
}

uint64_t ringbufQuery(HelperCall &call) {
  RingBufMap *ring = ringArgument(call, 1);
  return ring ? ring->query(call.arg(2)) : 0;
}

} // namespace

void addOutputHelpers(HelperRegistry &registry) {
  registry.add(6, "", tracePrintk);
  registry.add(177, "", traceVprintk);
  registry.add(165, "", snprintfHelper);
  registry.add(25, "", perfEventOutput);
  registry.add(130, "", ringbufOutput);
  registry.add(131, "", ringbufReserve);
  registry.add(132, "", ringbufCommit<true>);
  registry.add(133, "", ringbufCommit<false>);
  registry.add(134, "", ringbufQuery);
}

} // namespace ebpfc::runtime::helpers

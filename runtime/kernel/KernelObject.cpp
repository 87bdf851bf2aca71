#include "runtime/kernel/KernelObject.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>

namespace ebpfc::runtime::kernel {
namespace {

// Verifier logs of rejected programs rarely exceed this; the kernel keeps
// the tail of longer logs, which is where the reason for the rejection is.
constexpr size_t kVerifierLogSize = 1u << 20;
// BPF_PROG_TEST_RUN output: XDP frames stay within a page, but tc programs
// may grow an skb; the kernel fails with ENOSPC rather than truncate.
constexpr size_t kPacketOutSlack = 64 * 1024;

std::string errnoText(int error) { return std::strerror(error < 0 ? -error : error); }

// libbpf reports through one process-wide print callback. While a
// LibbpfMessages is alive its thread's warnings are collected instead of
// printed, so that they become part of the error this library returns.
thread_local std::string *collectedMessages = nullptr;

int collectLibbpfMessage(libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG || !collectedMessages)
    return 0;
  char line[1024];
  int length = vsnprintf(line, sizeof(line), format, args);
  collectedMessages->append(line);
  return length;
}

class LibbpfMessages {
public:
  LibbpfMessages() : previous_(libbpf_set_print(collectLibbpfMessage)) { collectedMessages = &text_; }
  ~LibbpfMessages() {
    collectedMessages = nullptr;
    libbpf_set_print(previous_);
  }
  // "message" or "message:\n<libbpf's lines>"
  std::string withDetails(const std::string &message) const {
    if (text_.empty())
      return message;
    std::string details = text_;
    while (!details.empty() && details.back() == '\n')
      details.pop_back();
    return message + ":\n" + details;
  }

private:
  libbpf_print_fn_t previous_;
  std::string text_;
};

// Pins the calling thread to one CPU for a BPF_PROG_TEST_RUN and restores
// its previous CPU set afterwards.
class CpuPin {
public:
  bool pin(unsigned cpu, std::string &error) {
    if (sched_getaffinity(0, sizeof(previous_), &previous_) != 0) {
      error = "sched_getaffinity failed: " + errnoText(errno);
      return false;
    }
    cpu_set_t only;
    CPU_ZERO(&only);
    CPU_SET(cpu, &only);
    if (sched_setaffinity(0, sizeof(only), &only) != 0) {
      error = "cannot run on CPU " + std::to_string(cpu) + ": sched_setaffinity failed: " + errnoText(errno);
      return false;
    }
    pinned_ = true;
    return true;
  }
  ~CpuPin() {
    if (pinned_)
      sched_setaffinity(0, sizeof(previous_), &previous_);
  }

private:
  cpu_set_t previous_;
  bool pinned_ = false;
};

bool isPerCpuType(bpf_map_type type) {
  switch (type) {
  case BPF_MAP_TYPE_PERCPU_ARRAY:
  case BPF_MAP_TYPE_PERCPU_HASH:
  case BPF_MAP_TYPE_LRU_PERCPU_HASH:
  case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
    return true;
  default:
    return false;
  }
}

bool usesSkbContext(bpf_prog_type type) {
  switch (type) {
  case BPF_PROG_TYPE_SCHED_CLS:
  case BPF_PROG_TYPE_SCHED_ACT:
  case BPF_PROG_TYPE_SOCKET_FILTER:
  case BPF_PROG_TYPE_CGROUP_SKB:
  case BPF_PROG_TYPE_LWT_IN:
  case BPF_PROG_TYPE_LWT_OUT:
  case BPF_PROG_TYPE_LWT_XMIT:
    return true;
  default:
    return false;
  }
}

// ".bss" for libbpf's "global_c.bss"; custom sections (".data.counters")
// keep their section name as map name.
std::string globalDataSection(const std::string &mapName) {
  if (!mapName.empty() && mapName[0] == '.')
    return mapName;
  size_t dot = mapName.find('.');
  return dot == std::string::npos ? "" : mapName.substr(dot);
}

size_t roundUp8(size_t size) { return (size + 7) & ~size_t(7); }

} // namespace

struct KernelObject::RingBufferReader {
  ring_buffer *buffer = nullptr;
  std::vector<Bytes> pending;
  ~RingBufferReader() { ring_buffer__free(buffer); }

  static int onRecord(void *context, void *data, size_t size) {
    auto *reader = static_cast<RingBufferReader *>(context);
    auto *bytes = static_cast<const uint8_t *>(data);
    reader->pending.emplace_back(bytes, bytes + size);
    return 0;
  }
};

KernelObject::KernelObject(std::string path, bpf_object *object, std::vector<char> logBuffer)
    : path_(std::move(path)), object_(object), logBuffer_(std::move(logBuffer)) {
  bpf_program *program;
  bpf_object__for_each_program(program, object_) {
    programs_.push_back({bpf_program__name(program), bpf_program__section_name(program),
                         bpf_program__type(program), program});
  }
  bpf_map *map;
  bpf_object__for_each_map(map, object_) {
    KernelMap entry;
    entry.name = bpf_map__name(map);
    if (bpf_map__is_internal(map))
      entry.sectionName = globalDataSection(entry.name);
    entry.type = bpf_map__type(map);
    entry.keySize = bpf_map__key_size(map);
    entry.valueSize = bpf_map__value_size(map);
    entry.maxEntries = bpf_map__max_entries(map);
    entry.perCpu = isPerCpuType(entry.type);
    entry.handle = map;
    maps_.push_back(std::move(entry));
  }
}

KernelObject::~KernelObject() {
  ringBuffers_.clear(); // before the maps they read are closed
  bpf_object__close(object_);
}

std::unique_ptr<KernelObject> KernelObject::open(const std::string &path, std::string &error) {
  LibbpfMessages messages;
  std::vector<char> logBuffer(kVerifierLogSize, '\0');
  bpf_object_open_opts options = {};
  options.sz = sizeof(options);
  options.kernel_log_buf = logBuffer.data();
  options.kernel_log_size = logBuffer.size();
  // Level 0: no log for programs that load; libbpf retries a failing load
  // with level 1 into this buffer.
  options.kernel_log_level = 0;
  bpf_object *object = bpf_object__open_file(path.c_str(), &options);
  if (!object) {
    error = messages.withDetails(path + ": libbpf cannot open the object: " + errnoText(errno));
    return nullptr;
  }
  return std::unique_ptr<KernelObject>(new KernelObject(path, object, std::move(logBuffer)));
}

const KernelProgram *KernelObject::findProgram(std::string_view nameOrSection) const {
  for (const KernelProgram &program : programs_)
    if (program.name == nameOrSection)
      return &program;
  for (const KernelProgram &program : programs_)
    if (program.section == nameOrSection)
      return &program;
  return nullptr;
}

const KernelMap *KernelObject::findMap(std::string_view name) const {
  for (const KernelMap &map : maps_)
    if (map.name == name || (!map.sectionName.empty() && map.sectionName == name))
      return &map;
  return nullptr;
}

unsigned KernelObject::possibleCpus() {
  int cpus = libbpf_num_possible_cpus();
  return cpus > 0 ? unsigned(cpus) : 1;
}

size_t KernelObject::userValueSize(const KernelMap &map) const {
  return map.perCpu ? roundUp8(map.valueSize) * possibleCpus() : map.valueSize;
}

bool KernelObject::setGlobalData(const KernelMap &map, const Bytes &value, std::string &error) {
  if (loaded_) {
    error = map.name + ": global data can only be set before the object is loaded";
    return false;
  }
  if (map.sectionName.empty()) {
    error = map.name + ": not a global-data map (.data, .bss, .rodata)";
    return false;
  }
  if (value.size() != map.valueSize) {
    error = map.name + ": the value has " + std::to_string(value.size()) + " bytes, the section has " +
            std::to_string(map.valueSize);
    return false;
  }
  int result = bpf_map__set_initial_value(map.handle, value.data(), value.size());
  if (result != 0) {
    error = map.name + ": cannot set the initial value: " + errnoText(result);
    return false;
  }
  return true;
}

bool KernelObject::load(std::string &error) {
  LibbpfMessages messages;
  int result = bpf_object__load(object_);
  if (result != 0) {
    verifierLog_ = logBuffer_.data();
    error = messages.withDetails(path_ + ": the kernel rejected the object: " + errnoText(result));
    return false;
  }
  loaded_ = true;
  return true;
}

bool KernelObject::run(const KernelProgram &program, const TestRunInput &input, TestRunResult &result,
                       std::string &error) const {
  if (!loaded_) {
    error = program.name + ": the object is not loaded";
    return false;
  }
  Bytes context = input.context;
  if (program.type == BPF_PROG_TYPE_XDP) {
    // The kernel requires the packet bounds of xdp_md to describe data_in
    // exactly (no metadata).
    context.resize(std::max(context.size(), sizeof(xdp_md)), 0);
    auto *md = reinterpret_cast<xdp_md *>(context.data());
    md->data = 0;
    md->data_meta = 0;
    md->data_end = uint32_t(input.packet.size());
  } else if (usesSkbContext(program.type)) {
    context.resize(std::max(context.size(), sizeof(__sk_buff)), 0);
  }

  result.packet.assign(input.packet.size() + kPacketOutSlack, 0);
  result.context.assign(context.size(), 0);
  bpf_test_run_opts options = {};
  options.sz = sizeof(options);
  options.data_in = input.packet.data();
  options.data_size_in = uint32_t(input.packet.size());
  options.data_out = result.packet.data();
  options.data_size_out = uint32_t(result.packet.size());
  if (!context.empty()) {
    options.ctx_in = context.data();
    options.ctx_size_in = uint32_t(context.size());
    options.ctx_out = result.context.data();
    options.ctx_size_out = uint32_t(result.context.size());
  }
  options.repeat = int(input.repeat);

  CpuPin pin;
  if (input.cpu && !pin.pin(*input.cpu, error))
    return false;
  if (bpf_prog_test_run_opts(bpf_program__fd(program.handle), &options) != 0) {
    error = program.name + ": BPF_PROG_TEST_RUN failed: " + errnoText(errno);
    return false;
  }
  result.returnValue = options.retval;
  result.packet.resize(options.data_size_out);
  result.context.resize(context.empty() ? 0 : options.ctx_size_out);
  result.durationNs = options.duration;
  return true;
}

bool KernelObject::xlatedInstructionCount(const KernelProgram &program, uint32_t &count,
                                          std::string &error) const {
  bpf_prog_info info = {};
  uint32_t infoSize = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(program.handle), &info, &infoSize) != 0) {
    error = program.name + ": BPF_OBJ_GET_INFO_BY_FD failed: " + errnoText(errno);
    return false;
  }
  count = info.xlated_prog_len / sizeof(bpf_insn);
  return true;
}

bool KernelObject::updateMap(const KernelMap &map, const Bytes &key, const std::vector<Bytes> &values,
                             uint64_t flags, std::string &error) {
  if (key.size() != map.keySize) {
    error = map.name + ": the key has " + std::to_string(key.size()) + " bytes, the map's keys have " +
            std::to_string(map.keySize);
    return false;
  }
  size_t slots = map.perCpu ? possibleCpus() : 1;
  if (values.empty() || values.size() > slots) {
    error = map.name + ": " + std::to_string(values.size()) + " values given, the map takes " +
            (map.perCpu ? "1 to " + std::to_string(slots) + " (one per CPU)" : std::string("exactly 1"));
    return false;
  }
  size_t stride = map.perCpu ? roundUp8(map.valueSize) : map.valueSize;
  Bytes userValue(userValueSize(map), 0);
  for (size_t cpu = 0; cpu < values.size(); cpu++) {
    if (values[cpu].size() != map.valueSize) {
      error = map.name + ": the value has " + std::to_string(values[cpu].size()) +
              " bytes, the map's values have " + std::to_string(map.valueSize);
      return false;
    }
    std::copy(values[cpu].begin(), values[cpu].end(), userValue.begin() + cpu * stride);
  }
  if (bpf_map_update_elem(bpf_map__fd(map.handle), key.data(), userValue.data(), flags) != 0) {
    error = map.name + ": BPF_MAP_UPDATE_ELEM failed: " + errnoText(errno);
    return false;
  }
  return true;
}

bool KernelObject::dumpMap(const KernelMap &map, std::vector<MapEntry> &entries, std::string &error) const {
  int fd = bpf_map__fd(map.handle);
  entries.clear();
  Bytes key(map.keySize), nextKey(map.keySize), userValue(userValueSize(map));
  const void *previous = nullptr; // nullptr asks for the first key
  while (true) {
    if (bpf_map_get_next_key(fd, previous, nextKey.data()) != 0) {
      if (errno == ENOENT)
        return true;
      error = map.name + ": BPF_MAP_GET_NEXT_KEY failed: " + errnoText(errno);
      return false;
    }
    key = nextKey;
    previous = key.data();
    if (bpf_map_lookup_elem(fd, key.data(), userValue.data()) != 0) {
      if (errno == ENOENT)
        continue; // deleted meanwhile
      error = map.name + ": BPF_MAP_LOOKUP_ELEM failed: " + errnoText(errno);
      return false;
    }
    MapEntry entry{key, {}};
    size_t stride = map.perCpu ? roundUp8(map.valueSize) : map.valueSize;
    size_t slots = map.perCpu ? possibleCpus() : 1;
    for (size_t cpu = 0; cpu < slots; cpu++) {
      auto begin = userValue.begin() + cpu * stride;
      entry.values.emplace_back(begin, begin + map.valueSize);
    }
    entries.push_back(std::move(entry));
  }
}

bool KernelObject::consumeRingBuffer(const KernelMap &map, std::vector<Bytes> &records, std::string &error) {
  if (map.type != BPF_MAP_TYPE_RINGBUF) {
    error = map.name + ": not a ring buffer";
    return false;
  }
  auto &reader = ringBuffers_[map.name];
  if (!reader) {
    reader = std::make_unique<RingBufferReader>();
    reader->buffer = ring_buffer__new(bpf_map__fd(map.handle), RingBufferReader::onRecord, reader.get(), nullptr);
    if (!reader->buffer) {
      int cause = errno;
      ringBuffers_.erase(map.name);
      error = map.name + ": cannot read the ring buffer: " + errnoText(cause);
      return false;
    }
  }
  int consumed = ring_buffer__consume(reader->buffer);
  if (consumed < 0) {
    error = map.name + ": cannot read the ring buffer: " + errnoText(consumed);
    return false;
  }
  records = std::move(reader->pending);
  reader->pending.clear();
  return true;
}

} // namespace ebpfc::runtime::kernel

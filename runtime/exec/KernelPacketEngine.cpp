// The kernel engine behind PacketEngine: runtime/kernel's KernelObject
// (libbpf + BPF_PROG_TEST_RUN) adapted to the packet-level interface. The
// kernel reports verdict, packet, ctx_out and duration; ring buffer records
// and trace_printk lines are captured where possible; redirect targets and
// perf event records are not observable through the test run.
#include "runtime/exec/PacketEngine.h"

#include "runtime/kernel/KernelAvailability.h"
#include "runtime/kernel/KernelObject.h"
#include "runtime/kernel/TracePrintkCapture.h"

#include <bpf/libbpf.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ebpfc::runtime {

namespace {

using kernel::KernelMap;
using kernel::KernelObject;
using kernel::KernelProgram;

std::string suiteName(const KernelMap &map) { return map.sectionName.empty() ? map.name : map.sectionName; }

bool listable(bpf_map_type type) {
  switch (type) {
  case BPF_MAP_TYPE_ARRAY:
  case BPF_MAP_TYPE_PERCPU_ARRAY:
  case BPF_MAP_TYPE_HASH:
  case BPF_MAP_TYPE_PERCPU_HASH:
  case BPF_MAP_TYPE_LRU_HASH:
  case BPF_MAP_TYPE_LRU_PERCPU_HASH:
  case BPF_MAP_TYPE_LPM_TRIE:
    return true;
  default:
    return false;
  }
}

class KernelPacketObject final : public PacketObject {
public:
  explicit KernelPacketObject(std::unique_ptr<KernelObject> object) : object_(std::move(object)) {}

  const std::string &path() const override { return object_->path(); }

  std::vector<ProgramSummary> programs() const override {
    std::vector<ProgramSummary> programs;
    for (const KernelProgram &program : object_->programs())
      programs.push_back({program.name, program.section, ir::ProgramType(program.type)});
    return programs;
  }

  std::vector<MapSummary> maps() const override {
    std::vector<MapSummary> maps;
    for (const KernelMap &map : object_->maps())
      maps.push_back({suiteName(map), uint32_t(map.type), map.keySize, map.valueSize, map.maxEntries, map.perCpu,
                      listable(map.type)});
    return maps;
  }

  Expected<PacketResult> run(std::string_view name, const PacketInput &input, const RunOptions &options) override {
    const KernelProgram *program = nullptr;
    if (name.empty() && object_->programs().size() == 1)
      program = &object_->programs().front();
    else if (!name.empty())
      program = object_->findProgram(name);
    if (!program)
      return errorIn(path(), name.empty() ? fmt::format("the object has {} programs; name one",
                                                        object_->programs().size())
                                          : fmt::format("the object has no program or section '{}'", name));
    const std::optional<ContextKind> kind = contextKindFor(ir::ProgramType(program->type));
    if (!kind)
      return errorIn(path(), fmt::format("program '{}' does not run on packets", program->name));

    kernel::TestRunInput run;
    run.packet = input.packet;
    run.context.assign(*kind == ContextKind::Xdp ? sizeof(xdp_md) : sizeof(__sk_buff), 0);
    for (const auto &[field, value] : input.context) {
      const ContextFieldInfo *info = findContextField(*kind, field);
      if (!info || !info->input)
        return errorIn(path(), fmt::format("{} has no input field '{}'", contextKindName(*kind), field));
      if (!info->kernelInput)
        return errorIn(path(), fmt::format("{}.{} is an ebpfvm-only input: BPF_PROG_TEST_RUN cannot set it",
                                           contextKindName(*kind), field));
      std::memcpy(run.context.data() + info->offset, &value, info->size);
    }
    run.repeat = std::max<uint32_t>(options.repeat, 1);
    run.cpu = input.cpu;

    std::map<std::string, std::vector<MapEntryData>> before;
    if (options.mapChanges) {
      auto state = snapshot();
      if (!state)
        return state.takeError();
      before = std::move(*state);
    }
    std::string error;
    std::vector<std::string> discarded;
    TracePrintkCapture *trace = traceCapture();
    if (trace && !trace->take(discarded, error))
      trace = nullptr;

    kernel::TestRunResult out;
    if (!object_->run(*program, run, out, error))
      return errorIn(path(), error);

    PacketResult result;
    result.returnValue = out.returnValue;
    result.r0 = out.returnValue;
    result.packet = out.packet;
    for (const ContextFieldInfo &field : contextFieldsOf(*kind))
      if (field.output && field.offset + field.size <= out.context.size()) {
        uint64_t value = 0;
        std::memcpy(&value, out.context.data() + field.offset, field.size);
        result.context[std::string(field.name)] = value;
      }
    result.observesRedirect = false;
    result.observesPerfEvents = false;
    result.durationNs = out.durationNs;
    for (const KernelMap &map : object_->maps()) {
      if (map.type != BPF_MAP_TYPE_RINGBUF)
        continue;
      std::vector<kernel::Bytes> records;
      if (!object_->consumeRingBuffer(map, records, error))
        return errorIn(path(), error);
      if (!records.empty())
        result.ringBuffers[map.name] = std::move(records);
    }
    if (trace) {
      result.trace.emplace();
      if (!trace->take(*result.trace, error))
        result.trace.reset();
    }
    if (options.mapChanges) {
      auto after = snapshot();
      if (!after)
        return after.takeError();
      for (const auto &[mapName, entries] : *after) {
        // Keyed by the key's bytes as a string: GCC 12 warns falsely about maps keyed by byte vectors.
        std::map<std::string, const MapEntryData *> old;
        for (const MapEntryData &entry : before[mapName])
          old[std::string(entry.key.begin(), entry.key.end())] = &entry;
        for (const MapEntryData &entry : entries) {
          auto found = old.find(std::string(entry.key.begin(), entry.key.end()));
          if (found == old.end())
            result.mapChanges.push_back({mapName, entry.key, std::nullopt, entry.values});
          else {
            if (found->second->values != entry.values)
              result.mapChanges.push_back({mapName, entry.key, found->second->values, entry.values});
            old.erase(found);
          }
        }
        for (const auto &[key, entry] : old)
          result.mapChanges.push_back({mapName, Bytes(key.begin(), key.end()), entry->values, std::nullopt});
      }
    }
    return result;
  }

  Expected<std::vector<MapEntryData>> readMap(std::string_view name) const override {
    const KernelMap *map = object_->findMap(name);
    if (!map)
      return errorIn(path(), fmt::format("the object has no map '{}'", name));
    std::vector<kernel::MapEntry> entries;
    std::string error;
    if (!object_->dumpMap(*map, entries, error))
      return errorIn(path(), error);
    std::vector<MapEntryData> out;
    for (kernel::MapEntry &entry : entries)
      out.push_back({std::move(entry.key), std::move(entry.values)});
    return out;
  }

  Expected<void> writeMap(std::string_view name, const MapEntryData &entry, uint64_t flags) override {
    const KernelMap *map = object_->findMap(name);
    if (!map)
      return errorIn(path(), fmt::format("the object has no map '{}'", name));
    std::string error;
    if (!object_->updateMap(*map, entry.key, entry.values, flags, error))
      return errorIn(path(), error);
    return {};
  }

  Expected<void> deleteMapEntry(std::string_view name, const Bytes &key) override {
    const KernelMap *map = object_->findMap(name);
    if (!map)
      return errorIn(path(), fmt::format("the object has no map '{}'", name));
    if (bpf_map__delete_elem(map->handle, key.data(), key.size(), 0) != 0)
      return errorIn(path(), fmt::format("map '{}': the delete was refused: {}", name, std::strerror(errno)));
    return {};
  }

private:
  // Started on first use; nullptr when tracefs is unavailable (runs then
  // report no trace).
  kernel::TracePrintkCapture *traceCapture() {
    if (!traceTried_) {
      traceTried_ = true;
      std::string error;
      trace_ = kernel::TracePrintkCapture::start(error);
    }
    return trace_.get();
  }

  Expected<std::map<std::string, std::vector<MapEntryData>>> snapshot() const {
    std::map<std::string, std::vector<MapEntryData>> state;
    for (const KernelMap &map : object_->maps()) {
      if (!listable(map.type))
        continue;
      auto entries = readMap(suiteName(map));
      if (!entries)
        return entries.takeError();
      state[suiteName(map)] = std::move(*entries);
    }
    return state;
  }

  using TracePrintkCapture = kernel::TracePrintkCapture;
  std::unique_ptr<KernelObject> object_;
  bool traceTried_ = false;
  std::unique_ptr<kernel::TracePrintkCapture> trace_;
};

class KernelPacketEngine final : public PacketEngine {
public:
  std::string_view name() const override { return "kernel"; }

  Expected<std::unique_ptr<PacketObject>> load(const std::string &path,
                                               const std::vector<MapContents> &initial) const override {
    std::string error;
    std::unique_ptr<KernelObject> object = KernelObject::open(path, error);
    if (!object)
      return errorIn(path, error);
    // Global data goes in before loading (.rodata is frozen then).
    for (const MapContents &contents : initial) {
      const KernelMap *map = object->findMap(contents.map);
      if (!map)
        return errorIn(path, fmt::format("the object has no map '{}'", contents.map));
      if (map->sectionName.empty())
        continue;
      for (const MapEntryData &entry : contents.entries)
        if (entry.key != Bytes(4, 0) || entry.values.size() != 1 || !object->setGlobalData(*map, entry.values[0], error))
          return errorIn(path, error.empty() ? fmt::format("global data '{}' has one entry, key 00000000, whose "
                                                           "value is the whole section",
                                                           contents.map)
                                             : error);
    }
    if (!object->load(error))
      return errorIn(path, object->verifierLog().empty() ? error : error + "\nverifier log:\n" + object->verifierLog());
    for (const MapContents &contents : initial) {
      const KernelMap *map = object->findMap(contents.map);
      if (!map->sectionName.empty())
        continue;
      for (const MapEntryData &entry : contents.entries)
        if (!object->updateMap(*map, entry.key, entry.values, 0, error))
          return errorIn(path, error);
    }
    return std::unique_ptr<PacketObject>(std::make_unique<KernelPacketObject>(std::move(object)));
  }
};

} // namespace

std::unique_ptr<PacketEngine> createKernelPacketEngine(std::string &error) {
  std::string reason;
  if (!kernel::kernelAvailable(reason)) {
    error = "the kernel engine is unavailable: " + reason;
    return nullptr;
  }
  return std::make_unique<KernelPacketEngine>();
}

} // namespace ebpfc::runtime

#include "runtime/exec/ObjectInstance.h"

#include "ir/HelperTable.h"
#include "ir/MapType.h"
#include "runtime/maps/ArrayMap.h"
#include "runtime/maps/MapInMap.h"
#include "runtime/maps/PerfEventArrayMap.h"
#include "runtime/maps/RingBufMap.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace ebpfc::runtime {

namespace {

size_t roundUp8(size_t size) { return (size + 7) & ~size_t{7}; }

// Maps whose values are plain data (not program, map or device references,
// which differ between engines) and whose keys can be iterated: the same
// set for every engine, so that their dumps compare.
bool isListableType(uint32_t type) {
  switch (ir::MapType(type)) {
  case ir::MapType::Hash:
  case ir::MapType::Array:
  case ir::MapType::PercpuHash:
  case ir::MapType::PercpuArray:
  case ir::MapType::LruHash:
  case ir::MapType::LruPercpuHash:
  case ir::MapType::LpmTrie:
    return true;
  default:
    return false;
  }
}

std::string errnoName(long negative) {
  switch (-negative) {
  case EINVAL: return "EINVAL";
  case ENOENT: return "ENOENT";
  case EEXIST: return "EEXIST";
  case E2BIG: return "E2BIG";
  case ENOMEM: return "ENOMEM";
  case EPERM: return "EPERM";
  case EFAULT: return "EFAULT";
  case EBUSY: return "EBUSY";
  case kENotSupp: return "ENOTSUPP";
  default: return fmt::format("errno {}", -negative);
  }
}

// Helpers the program calls that its type may not (the verifier's rule).
std::string helperTypeError(const ProgramImage &program) {
  for (const Insn &insn : program.insns) {
    if (insn.opcode != op::kCallOpcode || insn.src != op::kCallHelper || insn.imm < 0)
      continue;
    const ir::HelperInfo *info = ir::findHelper(uint32_t(insn.imm));
    if (info && !info->allowed.contains(program.type))
      return fmt::format("it calls {} (helper {}), which the kernel does not allow in {} programs", info->name,
                         info->id, ir::programTypeName(program.type));
  }
  return {};
}

} // namespace

ObjectInstance::ObjectInstance(ObjectImage image, const Engine &engine, const VmOptions &options)
    : image_(std::move(image)), engine_(engine), options_(options), random_(options.seed),
      clockNs_(options.clockStartNs) {}

ObjectInstance::~ObjectInstance() {
  // Programs refer to the environment and the maps: release them first.
  loaded_.clear();
}

LoadError ObjectInstance::errorFor(std::string_view what) const { return errorIn(image_.path, what); }

Expected<std::unique_ptr<ObjectInstance>> ObjectInstance::create(ObjectImage image, const Engine &engine,
                                                                 const VmOptions &options,
                                                                 const std::vector<MapContents> &initial) {
  if (options.cpus == 0 || options.cpus > kMaxCpus)
    return errorIn(image.path, fmt::format("{} virtual CPUs requested; give 1 to {}", options.cpus, kMaxCpus));
  std::unique_ptr<ObjectInstance> instance(new ObjectInstance(std::move(image), engine, options));
  if (Expected<void> created = instance->createMaps(); !created)
    return created.takeError();
  for (const MapContents &contents : initial)
    if (Expected<void> applied = instance->applyContents(contents); !applied)
      return applied.takeError();
  // libbpf freezes .rodata once its contents are in place.
  for (const std::shared_ptr<Map> &map : instance->maps_)
    if (map->spec().name == ".rodata" || map->spec().name.starts_with(".rodata."))
      map->freeze();
  instance->loadPrograms();
  return instance;
}

Expected<void> ObjectInstance::createMaps() {
  for (MapSpec spec : image_.maps) {
    // libbpf sizes a perf event array without max_entries to the CPUs.
    if (ir::MapType(spec.type) == ir::MapType::PerfEventArray && spec.maxEntries == 0)
      spec.maxEntries = options_.cpus;
    std::string error;
    std::unique_ptr<Map> map = createMap(spec, options_.cpus, error);
    if (!map)
      return errorFor(fmt::format("map '{}' cannot be created: {}", spec.name, error));
    maps_.push_back(std::shared_ptr<Map>(std::move(map)));
    mapPointers_.push_back(maps_.back().get());
  }
  // Perf event arrays have no perf events here: every slot is "opened" so
  // that output to any CPU is captured.
  for (const std::shared_ptr<Map> &map : maps_)
    if (map->as<PerfEventArrayMap>())
      for (uint32_t slot = 0; slot < map->spec().maxEntries; ++slot)
        map->userUpdate(&slot, &slot, kAny);
  for (const ProgArrayInit &init : image_.progArrayInits) {
    const uint32_t program = init.program;
    if (const long result = maps_[init.map]->userUpdate(&init.slot, &program, kAny))
      return errorFor(fmt::format("prog array '{}' slot {}: {}", maps_[init.map]->spec().name, init.slot,
                                  errnoName(result)));
  }
  for (const MapInMapInit &init : image_.mapInMapInits) {
    auto *outer = maps_[init.outer]->as<MapOfMaps>();
    const long result = outer ? outer->setInnerMap(&init.slot, maps_[init.inner], kAny) : -EINVAL;
    if (result)
      return errorFor(fmt::format("map-in-map '{}' slot {} = '{}': {}", maps_[init.outer]->spec().name, init.slot,
                                  maps_[init.inner]->spec().name, errnoName(result)));
  }
  return {};
}

Expected<void> ObjectInstance::applyContents(const MapContents &contents) {
  for (const MapEntryData &entry : contents.entries)
    if (Expected<void> written = writeMap(contents.map, entry, kAny); !written)
      return written.takeError();
  return {};
}

void ObjectInstance::loadPrograms() {
  loaded_.resize(image_.programs.size());
  loadErrors_.resize(image_.programs.size());
  for (size_t i = 0; i < image_.programs.size(); ++i) {
    const ProgramImage &program = image_.programs[i];
    const std::string where = fmt::format("program '{}' (section '{}')", program.name, program.section);
    if (options_.checkHelperProgramTypes && program.type != ir::ProgramType::Unspec)
      if (std::string why = helperTypeError(program); !why.empty()) {
        loadErrors_[i] = where + " cannot load: " + why;
        continue;
      }
    std::string error;
    loaded_[i] = engine_.load(program, *this, error);
    if (!loaded_[i])
      loadErrors_[i] = where + " cannot load: " + error;
  }
}

Expected<const LoadedProgram *> ObjectInstance::program(std::string_view nameOrSection) const {
  Expected<const ProgramImage *> selected = selectProgram(image_, nameOrSection, "--type=TYPE");
  if (!selected)
    return selected.takeError();
  const size_t index = size_t(*selected - image_.programs.data());
  if (!loaded_[index])
    return errorFor(loadErrors_[index]);
  return loaded_[index].get();
}

Map *ObjectInstance::findMap(std::string_view name) const {
  for (const std::shared_ptr<Map> &map : maps_)
    if (map->spec().name == name)
      return map.get();
  return nullptr;
}

Map *ObjectInstance::ownMap(uint64_t address) const {
  for (Map *map : mapPointers_)
    if (reinterpret_cast<uint64_t>(map) == address)
      return map;
  return nullptr;
}

std::vector<ProgramSummary> ObjectInstance::programs() const {
  std::vector<ProgramSummary> programs;
  for (const ProgramImage &program : image_.programs)
    programs.push_back({program.name, program.section, program.type});
  return programs;
}

std::vector<MapSummary> ObjectInstance::maps() const {
  std::vector<MapSummary> maps;
  for (const std::shared_ptr<Map> &map : maps_) {
    const MapSpec &spec = map->spec();
    maps.push_back(
        {spec.name, spec.type, spec.keySize, spec.valueSize, spec.maxEntries, map->isPerCpu(), isListableType(spec.type)});
  }
  return maps;
}

// --- ExecutionEnvironment ---

std::optional<ArrayLayout> ObjectInstance::arrayLayout(uint64_t mapHandle) const {
  for (const auto &map : maps_) {
    if (reinterpret_cast<uint64_t>(map.get()) != mapHandle)
      continue;
    const ArrayMap *array = map->as<ArrayMap>();
    if (!array)
      return std::nullopt;
    const std::optional<ArrayMap::Layout> layout = array->layout();
    if (!layout)
      return std::nullopt;
    return ArrayLayout{reinterpret_cast<uint64_t>(layout->values), layout->stride, layout->maxEntries};
  }
  return std::nullopt;
}

std::optional<uint64_t> ObjectInstance::resolvePseudoLoad(const PseudoLoad &load, std::string &error) const {
  if (load.source != op::kPseudoMapIdx && load.source != op::kPseudoMapIdxValue) {
    error = fmt::format("ld_imm64 with pseudo source {} (a map file descriptor or BTF id) cannot be resolved: "
                        "the object's loader gives map references by index",
                        load.source);
    return std::nullopt;
  }
  if (load.imm < 0 || size_t(load.imm) >= maps_.size()) {
    error = fmt::format("ld_imm64 refers to map {}, and the object has {} maps", load.imm, maps_.size());
    return std::nullopt;
  }
  Map &map = *maps_[size_t(load.imm)];
  if (load.source == op::kPseudoMapIdx)
    return reinterpret_cast<uint64_t>(&map);
  // A direct value address: arrays only, as map_direct_value_addr() allows.
  const uint32_t offset = uint32_t(load.nextImm);
  if (ir::MapType(map.spec().type) != ir::MapType::Array) {
    error = fmt::format("ld_imm64 takes the address of a value of map '{}', which is not an array", map.spec().name);
    return std::nullopt;
  }
  if (offset >= map.spec().valueSize) {
    error = fmt::format("ld_imm64 refers to offset {} of map '{}', whose values are {} bytes", offset,
                        map.spec().name, map.spec().valueSize);
    return std::nullopt;
  }
  const uint32_t key = 0;
  auto *value = static_cast<uint8_t *>(map.lookup(&key, 0));
  if (!value) {
    error = fmt::format("map '{}' has no element 0", map.spec().name);
    return std::nullopt;
  }
  return reinterpret_cast<uint64_t>(value + offset);
}

ExecutionEnvironment::TailCallSlot ObjectInstance::resolveTailCall(uint64_t progArray, uint64_t index) const {
  Map *map = ownMap(progArray);
  if (!map)
    map = Map::fromAddress(progArray);
  if (!map || ir::MapType(map->spec().type) != ir::MapType::ProgArray)
    return {};
  // The kernel compares the index as a u32.
  const uint32_t slot = uint32_t(index);
  TailCallSlot result;
  result.indexInRange = slot < map->spec().maxEntries;
  if (const std::optional<uint32_t> program = map->tailCallProgram(slot); program && *program < loaded_.size())
    result.program = loaded_[*program].get();
  return result;
}

bool ObjectInstance::findMemoryRegion(uint64_t address, uint64_t size, Region &region) const {
  for (Map *map : mapPointers_) {
    MemoryRegion found;
    if (!map->findValueRegion(reinterpret_cast<const void *>(address), size, found))
      continue;
    region = hostRegion(found.begin, found.size, found.writable ? RegionKind::MapValue : RegionKind::ReadOnlyData,
                        map->spec().name, found.writable);
    return true;
  }
  return false;
}

// --- user view ---

Expected<std::vector<MapEntryData>> ObjectInstance::readMap(std::string_view name) const {
  Map *map = findMap(name);
  if (!map)
    return errorFor(fmt::format("the object has no map '{}'", name));
  if (!isListableType(map->spec().type))
    return errorFor(fmt::format("map '{}' ({}) has no entries to list", name,
                                ir::findMapType(map->spec().type) ? ir::findMapType(map->spec().type)->name : "?"));
  const MapSpec &spec = map->spec();
  std::vector<MapEntryData> entries;
  Bytes key(spec.keySize), next(spec.keySize), value(map->userValueSize());
  const uint8_t *previous = nullptr;
  while (map->getNextKey(previous, next.data()) == 0) {
    key = next;
    previous = key.data();
    if (map->userLookup(key.data(), value.data()) != 0)
      continue;
    MapEntryData entry{key, {}};
    if (map->isPerCpu()) {
      const size_t stride = roundUp8(spec.valueSize);
      for (unsigned cpu = 0; cpu < map->numCpus(); ++cpu)
        entry.values.emplace_back(value.begin() + std::ptrdiff_t(cpu * stride),
                                  value.begin() + std::ptrdiff_t(cpu * stride + spec.valueSize));
    } else {
      entry.values.push_back(value);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Expected<void> ObjectInstance::writeMap(std::string_view name, const MapEntryData &entry, uint64_t flags) {
  Map *map = findMap(name);
  if (!map)
    return errorFor(fmt::format("the object has no map '{}'", name));
  const MapSpec &spec = map->spec();
  if (entry.key.size() != spec.keySize)
    return errorFor(fmt::format("map '{}': the key is {} bytes; the map's keys are {} bytes", name, entry.key.size(),
                                spec.keySize));
  Bytes value;
  if (map->isPerCpu()) {
    if (entry.values.size() > map->numCpus())
      return errorFor(fmt::format("map '{}': values for {} CPUs given; the runtime has {} (--cpus)", name,
                                  entry.values.size(), map->numCpus()));
    const size_t stride = roundUp8(spec.valueSize);
    value.assign(map->userValueSize(), 0);
    for (size_t cpu = 0; cpu < entry.values.size(); ++cpu) {
      if (entry.values[cpu].size() != spec.valueSize)
        return errorFor(fmt::format("map '{}': the value for CPU {} is {} bytes; the map's values are {} bytes", name,
                                    cpu, entry.values[cpu].size(), spec.valueSize));
      std::memcpy(value.data() + cpu * stride, entry.values[cpu].data(), spec.valueSize);
    }
  } else {
    if (entry.values.size() != 1)
      return errorFor(fmt::format("map '{}' is not per-CPU: give one value", name));
    if (entry.values[0].size() != spec.valueSize)
      return errorFor(fmt::format("map '{}': the value is {} bytes; the map's values are {} bytes", name,
                                  entry.values[0].size(), spec.valueSize));
    value = entry.values[0];
  }
  if (const long result = map->userUpdate(entry.key.empty() ? nullptr : entry.key.data(), value.data(), flags))
    return errorFor(fmt::format("map '{}': the update was refused: {}", name, errnoName(result)));
  return {};
}

Expected<void> ObjectInstance::deleteMapEntry(std::string_view name, const Bytes &key) {
  Map *map = findMap(name);
  if (!map)
    return errorFor(fmt::format("the object has no map '{}'", name));
  if (key.size() != map->spec().keySize)
    return errorFor(fmt::format("map '{}': the key is {} bytes; the map's keys are {} bytes", name, key.size(),
                                map->spec().keySize));
  if (const long result = map->userDelete(key.data()))
    return errorFor(fmt::format("map '{}': the delete was refused: {}", name, errnoName(result)));
  return {};
}

Expected<std::map<std::string, std::vector<MapEntryData>>> ObjectInstance::snapshot() const {
  std::map<std::string, std::vector<MapEntryData>> state;
  for (const std::shared_ptr<Map> &map : maps_) {
    if (!isListableType(map->spec().type))
      continue;
    Expected<std::vector<MapEntryData>> entries = readMap(map->spec().name);
    if (!entries)
      return entries.takeError();
    state[map->spec().name] = std::move(*entries);
  }
  return state;
}

namespace {

std::vector<MapChange> compareSnapshots(const std::map<std::string, std::vector<MapEntryData>> &before,
                                        const std::map<std::string, std::vector<MapEntryData>> &after) {
  std::vector<MapChange> changes;
  for (const auto &[name, entriesAfter] : after) {
    auto it = before.find(name);
    // Keyed by the key's bytes as a string: GCC 12 warns falsely about maps keyed by byte vectors.
    std::map<std::string, const MapEntryData *> old;
    if (it != before.end())
      for (const MapEntryData &entry : it->second)
        old[std::string(entry.key.begin(), entry.key.end())] = &entry;
    for (const MapEntryData &entry : entriesAfter) {
      auto found = old.find(std::string(entry.key.begin(), entry.key.end()));
      if (found == old.end())
        changes.push_back({name, entry.key, std::nullopt, entry.values});
      else if (found->second->values != entry.values)
        changes.push_back({name, entry.key, found->second->values, entry.values});
      if (found != old.end())
        old.erase(found);
    }
    for (const auto &[key, entry] : old)
      changes.push_back({name, Bytes(key.begin(), key.end()), entry->values, std::nullopt});
  }
  return changes;
}

} // namespace

Expected<PacketResult> ObjectInstance::run(std::string_view name, const PacketInput &input, const RunOptions &options) {
  Expected<const LoadedProgram *> selected = program(name);
  if (!selected)
    return selected.takeError();
  const LoadedProgram &program = **selected;
  const ProgramImage &image = program.image();
  if (!contextKindFor(image.type))
    return errorFor(fmt::format("program '{}' is a {} program; ebpfvm runs packet programs (xdp, tc, socket "
                                "filters, cgroup skb, lwt)",
                                image.name, ir::programTypeName(image.type)));
  if (input.cpu >= options_.cpus)
    return errorFor(fmt::format("CPU {} does not exist: the runtime has {} virtual CPUs (--cpus)", input.cpu,
                                options_.cpus));

  std::map<std::string, std::vector<MapEntryData>> before;
  if (options.mapChanges) {
    auto state = snapshot();
    if (!state)
      return state.takeError();
    before = std::move(*state);
  }

  PacketResult result;
  const uint32_t repeat = std::max<uint32_t>(options.repeat, 1);
  uint64_t totalNs = 0, runs = 0;
  for (uint32_t iteration = 0; iteration < repeat; ++iteration) {
    std::string error;
    std::unique_ptr<PacketContext> context =
        createPacketContext(image.type, image.expectedAttachType, input.packet, input.context, error);
    if (!context)
      return LoadError{error};
    HelperContext helpers;
    helpers.packet = context.get();
    helpers.cpu = input.cpu;
    helpers.numCpus = options_.cpus;
    if (input.timeNs) {
      helpers.timeNs = *input.timeNs;
    } else {
      helpers.timeNs = clockNs_;
      clockNs_ += options_.clockStepNs;
    }
    helpers.random = &random_;
    helpers.fib = &options_.fib;
    helpers.maps = mapPointers_;
    const Region regions[] = {context->contextRegion(), context->packetRegion()};
    RunInput runInput;
    runInput.args[0] = context->contextAddress();
    runInput.regions = regions;
    runInput.hostState = &helpers;

    const auto start = std::chrono::steady_clock::now();
    RunResult run = engine_.run(program, runInput);
    totalNs += uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
                            .count());
    ++runs;
    for (Map *map : mapPointers_)
      map->quiesce();

    // Records are the runs' output: take them every time so they do not
    // pile up, keep the last run's.
    result.ringBuffers.clear();
    result.perfEvents.clear();
    for (Map *map : mapPointers_) {
      if (RingBufMap *ring = map->as<RingBufMap>()) {
        std::vector<RingBufMap::Record> records = ring->consume();
        if (!records.empty())
          for (RingBufMap::Record &record : records)
            result.ringBuffers[map->spec().name].push_back(std::move(record.data));
      } else if (PerfEventArrayMap *perf = map->as<PerfEventArrayMap>()) {
        for (PerfEventArrayMap::Record &record : perf->takeRecords())
          result.perfEvents.push_back({map->spec().name, record.index, std::move(record.data)});
      }
    }
    result.returnValue = uint32_t(run.returnValue);
    result.r0 = run.returnValue;
    result.packet = context->outputPacket();
    result.context = context->outputFields();
    result.redirect = std::move(helpers.redirect);
    result.trace = std::move(helpers.trace);
    if (run.fault)
      result.fault = std::move(*run.fault);
    result.instructions = run.instructions;
    if (result.fault)
      break; // a faulting program would not have loaded in the kernel; one report is enough
  }
  result.durationNs = totalNs / runs;

  if (options.mapChanges) {
    auto after = snapshot();
    if (!after)
      return after.takeError();
    result.mapChanges = compareSnapshots(before, *after);
  }
  return result;
}

} // namespace ebpfc::runtime

#include "tests/runtime/helpers/KernelComparison.h"

#include "runtime/kernel/KernelAvailability.h"
#include "runtime/kernel/KernelObject.h"
#include "suites/BytePattern.h"
#include "tests/kernel/KernelCaseRunner.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace ebpfc::runtime::testing {

namespace {

namespace fs = std::filesystem;

bool readMaps(const PacketObject &object, std::vector<MapContents> &maps, std::string &error) {
  for (const MapSummary &summary : object.maps()) {
    if (!summary.listable)
      continue;
    Expected<std::vector<MapEntryData>> entries = object.readMap(summary.name);
    if (!entries) {
      error = entries.error().message;
      return false;
    }
    maps.push_back({summary.name, std::move(*entries)});
  }
  return true;
}

bool runOne(const PacketEngine &engine, const std::string &object, const ComparisonCase &spec, PacketResult &result,
            std::vector<MapContents> &maps, std::string &error) {
  Expected<std::unique_ptr<PacketObject>> loaded = engine.load(object, spec.maps);
  if (!loaded) {
    error = loaded.error().message;
    return false;
  }
  PacketInput input;
  input.packet = spec.packet;
  input.context = spec.context;
  Expected<PacketResult> run = (*loaded)->run("", input);
  if (!run) {
    error = run.error().message;
    return false;
  }
  result = std::move(*run);
  return readMaps(**loaded, maps, error);
}

std::string hexText(const Bytes &bytes) { return suites::formatHex(bytes); }

// Differences of `other` (named `otherName`) from ebpfvm's interpreter.
void compareMaps(const std::vector<MapContents> &vm, const std::vector<MapContents> &others,
                 const std::string &otherName, std::vector<std::string> &differences) {
  for (const MapContents &map : vm) {
    const MapContents *other = nullptr;
    for (const MapContents &candidate : others)
      if (candidate.map == map.map)
        other = &candidate;
    if (!other) {
      differences.push_back(fmt::format("map {}: the {} has no such map", map.map, otherName));
      continue;
    }
    for (const MapEntryData &entry : map.entries) {
      const MapEntryData *match = nullptr;
      for (const MapEntryData &candidate : other->entries)
        if (candidate.key == entry.key)
          match = &candidate;
      if (!match) {
        differences.push_back(fmt::format("map {} key {}: only ebpfvm has it", map.map, hexText(entry.key)));
        continue;
      }
      for (size_t cpu = 0; cpu < std::min(entry.values.size(), match->values.size()); ++cpu)
        if (entry.values[cpu] != match->values[cpu])
          differences.push_back(fmt::format("map {} key {}{}: ebpfvm {}, {} {}", map.map, hexText(entry.key),
                                            entry.values.size() > 1 ? fmt::format(" CPU {}", cpu) : "",
                                            hexText(entry.values[cpu]), otherName, hexText(match->values[cpu])));
    }
    for (const MapEntryData &entry : other->entries) {
      bool found = false;
      for (const MapEntryData &candidate : map.entries)
        found |= candidate.key == entry.key;
      if (!found)
        differences.push_back(fmt::format("map {} key {}: only the {} has it", map.map, hexText(entry.key), otherName));
    }
  }
}

// The observable outcome of a run of `other` against the interpreter's.
void compareRuns(const PacketResult &vm, const std::vector<MapContents> &vmMaps, const PacketResult &other,
                 const std::vector<MapContents> &otherMaps, const std::string &otherName,
                 std::vector<std::string> &differences) {
  if (vm.returnValue != other.returnValue)
    differences.push_back(fmt::format("return value: ebpfvm {}, {} {}", int32_t(vm.returnValue), otherName,
                                      int32_t(other.returnValue)));
  if (vm.packet != other.packet)
    differences.push_back(
        fmt::format("packet:\n    ebpfvm {}\n    {} {}", hexText(vm.packet), otherName, hexText(other.packet)));
  for (const auto &[field, value] : other.context)
    if (auto it = vm.context.find(field); it == vm.context.end() || it->second != value)
      differences.push_back(fmt::format("ctx_out {}: ebpfvm {}, {} {}", field,
                                        it == vm.context.end() ? "-" : std::to_string(it->second), otherName, value));
  compareMaps(vmMaps, otherMaps, otherName, differences);
  if (vm.ringBuffers != other.ringBuffers)
    differences.push_back("ring buffer records differ");
  if (other.trace && vm.trace != other.trace) {
    std::string text = "trace lines differ:";
    for (const std::string &line : *vm.trace)
      text += "\n    ebpfvm: " + line;
    for (const std::string &line : *other.trace)
      text += "\n    " + otherName + ": " + line;
    differences.push_back(text);
  }
}

} // namespace

KernelComparison::KernelComparison(const std::string &program, std::string &error) {
  const fs::path source = fs::path(EBPFC_SOURCE_DIR) / "tests" / "runtime" / "helpers" / "programs" / (program + ".c");
  const fs::path directory = fs::path(EBPFC_BINARY_DIR) / "tests" / "runtime_helper_objects" / std::to_string(getpid());
  std::error_code ignored;
  fs::create_directories(directory, ignored);
  object_ = (directory / (program + ".o")).string();
  std::string output;
  const int status = kerneltest::runProcess({EBPFC_CLANG19_PATH, "-O2", "-g", "-target", "bpf",
                                             "-I/usr/include/x86_64-linux-gnu", "-c", source.string(), "-o", object_},
                                            output);
  if (status != 0)
    error = fmt::format("clang-19 failed on {} (status {}):\n{}", source.string(), status, output);
}

KernelComparison::~KernelComparison() {
  std::error_code ignored;
  fs::remove(object_, ignored);
  fs::remove(fs::path(object_).parent_path(), ignored); // only when empty
}

bool KernelComparison::kernelAvailable(std::string &reason) { return kernel::kernelAvailable(reason); }

std::vector<ComparedRun> KernelComparison::run(const std::vector<ComparisonCase> &cases, std::string &error) const {
  VmOptions options;
  options.cpus = std::max(1u, kernel::KernelObject::possibleCpus());
  std::unique_ptr<PacketEngine> vm = createVmPacketEngine("interp", options, error);
  std::unique_ptr<PacketEngine> jit = createVmPacketEngine("jit", options, error);
  if (!vm || !jit)
    return {};
  std::string reason;
  std::unique_ptr<PacketEngine> kernelEngine = kernelAvailable(reason) ? createKernelPacketEngine(error) : nullptr;

  std::vector<ComparedRun> runs;
  for (const ComparisonCase &spec : cases) {
    ComparedRun compared;
    compared.name = spec.name;
    if (!runOne(*vm, object_, spec, compared.vm, compared.vmMaps, error)) {
      error = spec.name + ": ebpfvm: " + error;
      return {};
    }
    if (compared.vm.fault) {
      error = spec.name + ": ebpfvm faulted: " + compared.vm.fault->describe();
      return {};
    }
    // The trusted JIT, which takes helpers' fast paths, against the interpreter.
    PacketResult jitResult;
    std::vector<MapContents> jitMaps;
    if (!runOne(*jit, object_, spec, jitResult, jitMaps, error)) {
      error = spec.name + ": ebpfvm jit: " + error;
      return {};
    }
    if (jitResult.fault)
      compared.differences.push_back("the JIT faulted: " + jitResult.fault->describe());
    else
      compareRuns(compared.vm, compared.vmMaps, jitResult, jitMaps, "jit", compared.differences);
    if (kernelEngine) {
      PacketResult kernelResult;
      std::vector<MapContents> kernelMaps;
      if (!runOne(*kernelEngine, object_, spec, kernelResult, kernelMaps, error)) {
        error = spec.name + ": kernel: " + error;
        return {};
      }
      compared.kernelRan = true;
      compareRuns(compared.vm, compared.vmMaps, kernelResult, kernelMaps, "kernel", compared.differences);
    }
    runs.push_back(std::move(compared));
  }
  return runs;
}

Bytes valueOf(const std::vector<MapContents> &maps, const std::string &map, const Bytes &key) {
  for (const MapContents &contents : maps)
    if (contents.map == map)
      for (const MapEntryData &entry : contents.entries)
        if (entry.key == key && !entry.values.empty())
          return entry.values[0];
  return {};
}

Bytes key32(uint32_t index) {
  Bytes key(4);
  std::memcpy(key.data(), &index, 4);
  return key;
}

int64_t result64(const std::vector<MapContents> &maps, const std::string &map, uint32_t slot) {
  const Bytes value = valueOf(maps, map, key32(slot));
  int64_t result = 0;
  std::memcpy(&result, value.data(), std::min<size_t>(value.size(), 8));
  return result;
}

Bytes hex(const std::string &text) {
  suites::BytePattern pattern;
  std::string error;
  suites::parseHex(text, false, pattern, error);
  return pattern.bytes;
}

MapContents params(const std::string &map, Bytes bytes) { return {map, {{key32(0), {std::move(bytes)}}}}; }

} // namespace ebpfc::runtime::testing

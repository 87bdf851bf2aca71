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

void compareMaps(const std::vector<MapContents> &vm, const std::vector<MapContents> &kernel,
                 std::vector<std::string> &differences) {
  for (const MapContents &map : vm) {
    const MapContents *other = nullptr;
    for (const MapContents &candidate : kernel)
      if (candidate.map == map.map)
        other = &candidate;
    if (!other) {
      differences.push_back("map " + map.map + ": the kernel has no such map");
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
          differences.push_back(fmt::format("map {} key {}{}: ebpfvm {}, kernel {}", map.map, hexText(entry.key),
                                            entry.values.size() > 1 ? fmt::format(" CPU {}", cpu) : "",
                                            hexText(entry.values[cpu]), hexText(match->values[cpu])));
    }
    for (const MapEntryData &entry : other->entries) {
      bool found = false;
      for (const MapEntryData &candidate : map.entries)
        found |= candidate.key == entry.key;
      if (!found)
        differences.push_back(fmt::format("map {} key {}: only the kernel has it", map.map, hexText(entry.key)));
    }
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
  if (!vm)
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
    if (kernelEngine) {
      PacketResult kernelResult;
      std::vector<MapContents> kernelMaps;
      if (!runOne(*kernelEngine, object_, spec, kernelResult, kernelMaps, error)) {
        error = spec.name + ": kernel: " + error;
        return {};
      }
      compared.kernelRan = true;
      std::vector<std::string> &differences = compared.differences;
      if (compared.vm.returnValue != kernelResult.returnValue)
        differences.push_back(fmt::format("return value: ebpfvm {}, kernel {}", int32_t(compared.vm.returnValue),
                                          int32_t(kernelResult.returnValue)));
      if (compared.vm.packet != kernelResult.packet)
        differences.push_back(fmt::format("packet:\n    ebpfvm {}\n    kernel {}", hexText(compared.vm.packet),
                                          hexText(kernelResult.packet)));
      for (const auto &[field, value] : kernelResult.context)
        if (auto it = compared.vm.context.find(field); it == compared.vm.context.end() || it->second != value)
          differences.push_back(fmt::format("ctx_out {}: ebpfvm {}, kernel {}", field,
                                            it == compared.vm.context.end() ? "-" : std::to_string(it->second),
                                            value));
      compareMaps(compared.vmMaps, kernelMaps, differences);
      if (compared.vm.ringBuffers != kernelResult.ringBuffers)
        differences.push_back("ring buffer records differ");
      if (kernelResult.trace && compared.vm.trace != kernelResult.trace) {
        std::string text = "trace lines differ:";
        for (const std::string &line : *compared.vm.trace)
          text += "\n    ebpfvm: " + line;
        for (const std::string &line : *kernelResult.trace)
          text += "\n    kernel: " + line;
        differences.push_back(text);
      }
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

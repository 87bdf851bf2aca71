#include "tests/kernel/KernelCaseRunner.h"

#include "suites/ContextFields.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace ebpfc::kerneltest {
namespace {

namespace fs = std::filesystem;
using runtime::kernel::KernelMap;
using runtime::kernel::KernelObject;
using runtime::kernel::KernelProgram;

// Maps whose contents a suite can list: values are plain data (not file
// descriptors or program IDs) and the kernel can iterate their keys.
bool isListable(const KernelMap &map) {
  switch (map.type) {
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

// The name suites use: ".bss" rather than libbpf's "global_c.bss".
std::string suiteMapName(const KernelMap &map) { return map.sectionName.empty() ? map.name : map.sectionName; }

std::optional<suites::ContextKind> contextKindOf(bpf_prog_type type) {
  switch (type) {
  case BPF_PROG_TYPE_XDP:
    return suites::ContextKind::Xdp;
  case BPF_PROG_TYPE_SCHED_CLS:
  case BPF_PROG_TYPE_SCHED_ACT:
  case BPF_PROG_TYPE_SOCKET_FILTER:
  case BPF_PROG_TYPE_CGROUP_SKB:
  case BPF_PROG_TYPE_LWT_IN:
  case BPF_PROG_TYPE_LWT_OUT:
  case BPF_PROG_TYPE_LWT_XMIT:
    return suites::ContextKind::Skb;
  default:
    return std::nullopt;
  }
}

bool dumpListableMaps(const KernelObject &object, std::map<std::string, suites::MapState> &states,
                      std::string &error) {
  states.clear();
  for (const KernelMap &map : object.maps()) {
    if (!isListable(map))
      continue;
    std::vector<runtime::kernel::MapEntry> entries;
    if (!object.dumpMap(map, entries, error))
      return false;
    suites::MapState &state = states[suiteMapName(map)];
    state.perCpu = map.perCpu;
    for (auto &entry : entries)
      state.entries.push_back({std::move(entry.key), std::move(entry.values)});
  }
  return true;
}

std::vector<runtime::kernel::Bytes> valuesOf(const suites::MapEntrySpec &entry, const KernelMap &map,
                                             std::string &error) {
  std::string where = " (" + entry.where.toString() + ")";
  if (map.perCpu != !entry.cpuValues.empty()) {
    error = "map \"" + suiteMapName(map) + "\"" + where +
            (map.perCpu ? ": the map is per-CPU; give \"cpus\"" : ": the map is not per-CPU; give \"value\"");
    return {};
  }
  if (!map.perCpu)
    return {entry.value->bytes};
  unsigned cpus = KernelObject::possibleCpus();
  std::vector<runtime::kernel::Bytes> values(entry.cpuValues.rbegin()->first + 1, runtime::kernel::Bytes(map.valueSize, 0));
  if (values.size() > cpus) {
    error = "map \"" + suiteMapName(map) + "\"" + where + ": CPU " + std::to_string(values.size() - 1) +
            " does not exist on this machine (" + std::to_string(cpus) + " CPUs)";
    return {};
  }
  for (const auto &[cpu, pattern] : entry.cpuValues)
    values[cpu] = pattern.bytes;
  return values;
}

// Why BPF_PROG_TEST_RUN may have refused a packet with EINVAL: it wants a
// whole Ethernet header, and for __sk_buff programs (which it hands to the
// network stack's parsing) the whole IPv4 or IPv6 header the EtherType
// announces.
std::string testRunPacketHint(std::optional<suites::ContextKind> kind, const suites::Bytes &packet) {
  constexpr size_t kEthernet = 14, kIpv4 = 20, kIpv6 = 40;
  if (packet.size() < kEthernet)
    return " (BPF_PROG_TEST_RUN needs at least a 14-byte Ethernet header)";
  uint16_t etherType = uint16_t(packet[12] << 8 | packet[13]);
  if (kind == suites::ContextKind::Skb && etherType == 0x0800 && packet.size() < kEthernet + kIpv4)
    return " (for __sk_buff programs BPF_PROG_TEST_RUN needs the whole IPv4 header: 34 bytes)";
  if (kind == suites::ContextKind::Skb && etherType == 0x86dd && packet.size() < kEthernet + kIpv6)
    return " (for __sk_buff programs BPF_PROG_TEST_RUN needs the whole IPv6 header: 54 bytes)";
  return "";
}

} // namespace

Compiler ebpfcCompiler(const std::string &ebpfcPath) { return {"ebpfc", {ebpfcPath}}; }

Compiler clangCompiler(const std::string &clangPath) {
  return {"clang-19", {clangPath, "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"}};
}

std::string suiteName(const fs::path &suitePath) {
  std::string name = suitePath.filename().string();
  const std::string suffix = ".suite.json";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  return name;
}

bool compileSuiteProgram(const suites::Suite &suite, const Compiler &compiler, const fs::path &outputDir,
                         fs::path &object, std::string &error) {
  if (!suite.program.object.empty()) {
    object = suite.program.object;
    return true;
  }
  std::error_code ioError;
  fs::create_directories(outputDir, ioError);
  object = outputDir / (suiteName(suite.path) + ".o");
  std::vector<std::string> argv = compiler.command;
  argv.insert(argv.end(), suite.program.flags.begin(), suite.program.flags.end());
  argv.insert(argv.end(), {"-c", suite.program.source.string(), "-o", object.string()});
  std::string output;
  int status = suites::runProcess(argv, output);
  if (status != 0) {
    std::string command;
    for (const std::string &arg : argv)
      command += (command.empty() ? "" : " ") + arg;
    error = compiler.label + " failed (exit status " + std::to_string(status) + "): " + command + "\n" + output;
    return false;
  }
  return true;
}

std::unique_ptr<KernelObject> KernelCaseRunner::loadWithMaps(const std::vector<suites::MapContents> &caseMaps,
                                                             std::string &error) const {
  std::unique_ptr<KernelObject> object = KernelObject::open(object_.string(), error);
  if (!object)
    return nullptr;

  // Global data must be in place before loading (.rodata is frozen then);
  // a case's value replaces the suite's.
  std::vector<const suites::MapContents *> all;
  for (const suites::MapContents &contents : suite_.maps)
    all.push_back(&contents);
  for (const suites::MapContents &contents : caseMaps)
    all.push_back(&contents);
  for (const suites::MapContents *contents : all) {
    const KernelMap *map = object->findMap(contents->map);
    if (!map) {
      error = "map \"" + contents->map + "\" (" + contents->where.toString() + "): " + object_.filename().string() +
              " has no such map";
      return nullptr;
    }
    if (map->sectionName.empty())
      continue;
    for (const suites::MapEntrySpec &entry : contents->entries) {
      if (entry.key != runtime::kernel::Bytes(4, 0) || !entry.value) {
        error = "map \"" + contents->map + "\" (" + entry.where.toString() +
                "): global data has one entry, key \"00000000\" with a \"value\" (the whole section)";
        return nullptr;
      }
      if (!object->setGlobalData(*map, entry.value->bytes, error)) {
        error += " (" + entry.where.toString() + ")";
        return nullptr;
      }
    }
  }

  if (!object->load(error)) {
    if (!object->verifierLog().empty())
      error += "\nverifier log:\n" + object->verifierLog();
    return nullptr;
  }

  for (const suites::MapContents *contents : all) {
    const KernelMap *map = object->findMap(contents->map);
    if (!map->sectionName.empty())
      continue;
    for (const suites::MapEntrySpec &entry : contents->entries) {
      std::vector<runtime::kernel::Bytes> values = valuesOf(entry, *map, error);
      if (values.empty())
        return nullptr;
      if (!object->updateMap(*map, entry.key, values, BPF_ANY, error)) {
        error += " (" + entry.where.toString() + ")";
        return nullptr;
      }
    }
  }
  return object;
}

const KernelProgram *KernelCaseRunner::entryProgram(const KernelObject &object, std::string &error) const {
  if (!suite_.program.entry.empty()) {
    if (const KernelProgram *program = object.findProgram(suite_.program.entry))
      return program;
    error = "program \"" + suite_.program.entry + "\" (" + suite_.program.where.toString() + "): " +
            object_.filename().string() + " has no program or section of that name";
    return nullptr;
  }
  if (object.programs().size() == 1)
    return &object.programs().front();
  error = object_.filename().string() + " has " + std::to_string(object.programs().size()) +
          " programs; name one with \"name\" or \"section\" (" + suite_.program.where.toString() + ")";
  return nullptr;
}

bool KernelCaseRunner::run(const suites::CaseSpec &spec, suites::CaseResult &result, std::string &error) const {
  std::unique_ptr<KernelObject> object = loadWithMaps(spec.maps, error);
  if (!object)
    return false;
  const KernelProgram *program = entryProgram(*object, error);
  if (!program)
    return false;

  runtime::kernel::TestRunInput input;
  input.packet = spec.packet;
  std::optional<suites::ContextKind> kind = contextKindOf(program->type);
  if (kind) {
    result.contextKind = *kind;
    input.context.assign(*kind == suites::ContextKind::Xdp ? sizeof(xdp_md) : sizeof(__sk_buff), 0);
  }
  for (const suites::ContextValue &value : spec.context) {
    const suites::ContextField *field = kind ? suites::findContextField(*kind, value.field) : nullptr;
    if (!field) {
      error = "context field \"" + value.field + "\" (" + value.where.toString() + ") does not exist for program \"" +
              program->name + "\"" + (kind ? " (" + std::string(suites::contextKindName(*kind)) + ")" : "");
      return false;
    }
    std::memcpy(input.context.data() + field->offset, &value.value, field->size);
  }

  if (!dumpListableMaps(*object, result.mapsBefore, error))
    return false;
  std::vector<std::string> discarded;
  if (trace_ && !trace_->take(discarded, error))
    return false;

  runtime::kernel::TestRunResult run;
  if (!object->run(*program, input, run, error)) {
    error += testRunPacketHint(kind, spec.packet);
    return false;
  }
  result.returnValue = run.returnValue;
  result.packet = run.packet;
  result.context.clear();
  if (kind)
    for (const suites::ContextField &field : suites::contextFields())
      if (field.kind == *kind && field.offset + field.size <= run.context.size()) {
        uint64_t value = 0;
        std::memcpy(&value, run.context.data() + field.offset, field.size);
        result.context[std::string(field.name)] = value;
      }

  if (!dumpListableMaps(*object, result.mapsAfter, error))
    return false;
  result.ringBuffers.clear();
  for (const KernelMap &map : object->maps())
    if (map.type == BPF_MAP_TYPE_RINGBUF && !object->consumeRingBuffer(map, result.ringBuffers[map.name], error))
      return false;
  result.trace.reset();
  if (trace_) {
    result.trace.emplace();
    if (!trace_->take(*result.trace, error))
      return false;
  }
  return true;
}

bool KernelCaseRunner::xlatedCounts(std::map<std::string, uint32_t> &counts, std::string &error) const {
  std::unique_ptr<KernelObject> object = loadWithMaps({}, error);
  if (!object)
    return false;
  for (const KernelProgram &program : object->programs())
    if (!object->xlatedInstructionCount(program, counts[program.name], error))
      return false;
  return true;
}

bool bpftoolLoadAll(const std::string &bpftool, const fs::path &object, std::string &error) {
  // bpffs refuses names with dots.
  std::string name = object.stem().string();
  for (char &c : name)
    if (c == '.')
      c = '_';
  fs::path pinDir = "/sys/fs/bpf/ebpfc_kernel_test_" + std::to_string(getpid()) + "_" + name;
  std::string output;
  int status = runProcess({bpftool, "prog", "loadall", object.string(), pinDir.string()}, output);
  std::error_code ignored;
  fs::remove_all(pinDir, ignored);
  if (status != 0) {
    error = "bpftool prog loadall " + object.string() + " failed (exit status " + std::to_string(status) + "):\n" + output;
    return false;
  }
  return true;
}

} // namespace ebpfc::kerneltest

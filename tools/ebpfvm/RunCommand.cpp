// ebpfvm run: loads an object, runs one of its programs on packets (pcap,
// hex strings, files of hex lines) and shows what each run did — verdict,
// output packet against the input, context fields the program changed,
// redirect target, trace_printk lines, ring buffer and perf records, map
// changes, faults — as text or JSON; optionally writes the output packets
// to a pcap and the maps to JSON. docs/ebpfvm.md documents the options and
// the file formats.
#include "runtime/exec/PacketEngine.h"
#include "suites/BytePattern.h"
#include "tools/ebpfvm/CommandLine.h"
#include "tools/ebpfvm/Commands.h"
#include "tools/ebpfvm/MapsJson.h"
#include "tools/ebpfvm/PacketFiles.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

namespace ebpfc::ebpfvm {

namespace {

using runtime::Bytes;
using Json = nlohmann::ordered_json;

constexpr std::string_view kCommand = "run";

// Prints the error (loader messages already read "file: error: ...").
int fail(const std::string &message, int status = 1) {
  if (message.find(": error: ") != std::string::npos)
    std::fprintf(stderr, "ebpfvm run: %s\n", message.c_str());
  else
    reportError(kCommand, message, status);
  return status;
}

std::optional<uint64_t> parseNumber(const std::string &text) {
  if (text.empty() || text[0] == '-' || text[0] == '+')
    return std::nullopt;
  size_t used = 0;
  try {
    const unsigned long long value = std::stoull(text, &used, 0);
    if (used != text.size())
      return std::nullopt;
    return value;
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

// --- verdicts ---

std::optional<std::string_view> verdictName(ir::ProgramType type, uint32_t value) {
  static constexpr std::string_view kXdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
  static constexpr std::string_view kTc[] = {"TC_ACT_OK",     "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
                                             "TC_ACT_PIPE",   "TC_ACT_STOLEN",     "TC_ACT_QUEUED",
                                             "TC_ACT_REPEAT", "TC_ACT_REDIRECT",   "TC_ACT_TRAP"};
  switch (type) {
  case ir::ProgramType::Xdp:
    if (value < std::size(kXdp))
      return kXdp[value];
    break;
  case ir::ProgramType::SchedCls:
  case ir::ProgramType::SchedAct:
    if (value == UINT32_MAX)
      return "TC_ACT_UNSPEC";
    if (value < std::size(kTc))
      return kTc[value];
    break;
  case ir::ProgramType::LwtIn:
  case ir::ProgramType::LwtOut:
  case ir::ProgramType::LwtXmit:
    if (value == 0)
      return "BPF_OK";
    if (value == 2)
      return "BPF_DROP";
    if (value == 7)
      return "BPF_REDIRECT";
    if (value == 128)
      return "BPF_LWT_REROUTE";
    break;
  case ir::ProgramType::CgroupSkb:
    if (value == 0)
      return "drop";
    if (value == 1)
      return "allow";
    break;
  default:
    break;
  }
  return std::nullopt;
}

std::string describeVerdict(ir::ProgramType type, uint32_t value) {
  if (std::optional<std::string_view> name = verdictName(type, value))
    return fmt::format("{} ({})", *name, int32_t(value) < 0 ? int64_t(int32_t(value)) : int64_t(value));
  if (type == ir::ProgramType::SocketFilter)
    return fmt::format("{} (keep {} bytes)", value, value);
  return std::to_string(value);
}

// --- the packet, before and after ---

std::string hexRow(const Bytes &bytes, size_t offset) {
  std::string row;
  for (size_t i = offset; i < std::min(bytes.size(), offset + 16); ++i)
    row += fmt::format("{}{:02x}", i == offset ? "" : " ", bytes[i]);
  return row;
}

// Rows of 16 bytes that differ, as "- input" / "+ output" pairs.
std::string packetDiff(const Bytes &input, const Bytes &output) {
  std::string text;
  const size_t rows = (std::max(input.size(), output.size()) + 15) / 16;
  for (size_t row = 0; row < rows; ++row) {
    const size_t offset = row * 16;
    const std::string before = offset < input.size() ? hexRow(input, offset) : "";
    const std::string after = offset < output.size() ? hexRow(output, offset) : "";
    if (before == after)
      continue;
    if (!before.empty())
      text += fmt::format("    - {:04x}  {}\n", offset, before);
    if (!after.empty())
      text += fmt::format("    + {:04x}  {}\n", offset, after);
  }
  return text;
}

std::string valuesText(const std::vector<Bytes> &values) {
  if (values.size() == 1)
    return suites::formatHex(values[0]);
  std::string text;
  for (size_t cpu = 0; cpu < values.size(); ++cpu)
    text += fmt::format("{}cpu{} {}", cpu ? ", " : "", cpu, suites::formatHex(values[cpu]));
  return text;
}

Json valuesJson(const std::vector<Bytes> &values) {
  if (values.size() == 1)
    return suites::formatHex(values[0]);
  Json list = Json::array();
  for (const Bytes &value : values)
    list.push_back(suites::formatHex(value));
  return list;
}

std::string redirectText(const runtime::RedirectRecord &redirect) {
  using Kind = runtime::RedirectRecord::Kind;
  switch (redirect.kind) {
  case Kind::Interface:
    return fmt::format("ifindex {}{} (bpf_redirect)", redirect.ifindex, redirect.flags & 1 ? " ingress" : "");
  case Kind::Peer:
    return fmt::format("peer of ifindex {} (bpf_redirect_peer)", redirect.ifindex);
  case Kind::Neighbor:
    return fmt::format("ifindex {} via the neighbour table (bpf_redirect_neigh)", redirect.ifindex);
  case Kind::MapEntry: {
    std::string target = "broadcast";
    if (redirect.target) {
      switch (redirect.target->kind) {
      case runtime::RedirectTarget::Kind::Device: target = fmt::format("ifindex {}", redirect.target->id); break;
      case runtime::RedirectTarget::Kind::Cpu: target = fmt::format("CPU {}", redirect.target->id); break;
      case runtime::RedirectTarget::Kind::XskSocket: target = fmt::format("AF_XDP socket {}", redirect.target->id); break;
      }
    }
    return fmt::format("{} from {}[{}] (bpf_redirect_map)", target, redirect.map, redirect.key);
  }
  }
  return "";
}

Json redirectJson(const runtime::RedirectRecord &redirect) {
  using Kind = runtime::RedirectRecord::Kind;
  static constexpr const char *kKinds[] = {"interface", "peer", "neighbor", "map"};
  Json node = Json::object();
  node["kind"] = kKinds[size_t(redirect.kind)];
  node["ifindex"] = redirect.ifindex;
  node["flags"] = redirect.flags;
  if (redirect.kind == Kind::MapEntry) {
    node["map"] = redirect.map;
    node["key"] = redirect.key;
    if (redirect.target) {
      static constexpr const char *kTargets[] = {"device", "cpu", "xsk"};
      node["target"] = {{"kind", kTargets[size_t(redirect.target->kind)]}, {"id", redirect.target->id}};
    }
  }
  return node;
}

// Context fields the program may write and changed (input value: as given, else 0).
std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>>
changedContext(const runtime::PacketInput &input, const runtime::PacketResult &result) {
  static constexpr std::string_view kWritable[] = {"mark", "priority", "cb0", "cb1", "cb2", "cb3", "cb4", "tstamp"};
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> changed;
  for (std::string_view field : kWritable) {
    auto out = result.context.find(std::string(field));
    if (out == result.context.end())
      continue;
    uint64_t before = 0;
    for (const auto &[name, value] : input.context)
      if (name == field)
        before = value;
    if (out->second != before)
      changed.push_back({std::string(field), {before, out->second}});
  }
  return changed;
}

// A progress line on standard error, for long runs at a terminal.
class Progress {
public:
  Progress(size_t total, bool enabled) : total_(total), enabled_(enabled && isatty(STDERR_FILENO)) {}
  ~Progress() {
    if (shown_)
      std::fprintf(stderr, "\r\033[K");
  }
  void update(size_t done) {
    if (!enabled_)
      return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) || (!shown_ && now - start_ < std::chrono::milliseconds(500)))
      return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\rebpfvm run: packet %zu of %zu (%.0f%%)", done, total_, 100.0 * double(done) / double(total_));
    std::fflush(stderr);
  }

private:
  size_t total_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ = start_;
};

struct Settings {
  std::string object;
  std::string program; // function or section name, "" for the only one
  std::string engine = "interp";
  runtime::VmOptions vm;
  runtime::RunOptions run;
  runtime::ContextValues context;
  unsigned cpu = 0;
  std::vector<runtime::MapContents> initialMaps;
  std::vector<InputPacket> packets;
  std::optional<std::string> outPcap, dumpMaps;
  bool json = false, progress = true;
};

// Reads the command line into `settings`; false after printing the error.
bool readSettings(const CommandLine &line, Settings &settings, int &status) {
  auto usage = [&](const std::string &message) {
    status = fail(message, 2);
    return false;
  };
  auto failed = [&](const std::string &message) {
    status = fail(message, 1);
    return false;
  };
  if (line.positional().size() != 1)
    return usage("name one object file (ebpfvm run OBJ --packet HEX ...)");
  settings.object = line.positional()[0];
  if (line.has("--program") && line.has("--section"))
    return usage("give --program or --section, not both");
  settings.program = line.value("--program").value_or(line.value("--section").value_or(""));
  settings.engine = line.value("--engine").value_or("interp");
  settings.json = line.has("--json");
  settings.progress = !line.has("--no-progress");
  settings.outPcap = line.value("--out-pcap");
  settings.dumpMaps = line.value("--dump-maps");

  auto number = [&](const char *option, uint64_t min, uint64_t max, uint64_t &out) {
    if (std::optional<std::string> text = line.value(option)) {
      std::optional<uint64_t> value = parseNumber(*text);
      if (!value || *value < min || *value > max) {
        usage(fmt::format("{} takes a number from {} to {}, not '{}'", option, min, max, *text));
        return false;
      }
      out = *value;
    }
    return true;
  };
  uint64_t repeat = 1, cpus = 1, cpu = 0, seed = 0, budget = settings.vm.engine.instructionBudget;
  if (!number("--repeat", 1, UINT32_MAX, repeat) || !number("--cpus", 1, runtime::kMaxCpus, cpus) ||
      !number("--cpu", 0, runtime::kMaxCpus - 1, cpu) || !number("--seed", 0, UINT64_MAX, seed) ||
      !number("--clock-start", 0, UINT64_MAX, settings.vm.clockStartNs) ||
      !number("--clock-step", 0, UINT64_MAX, settings.vm.clockStepNs) ||
      !number("--budget", 1, UINT64_MAX, budget))
    return false;
  settings.run.repeat = uint32_t(repeat);
  // Comparing the maps before and after costs their size per packet.
  settings.run.mapChanges = !line.has("--no-map-changes");
  settings.vm.cpus = unsigned(cpus);
  settings.vm.seed = seed;
  settings.vm.engine.checked = line.has("--checked");
  settings.vm.engine.instructionBudget = budget;
  settings.cpu = unsigned(cpu);
  if (settings.cpu >= settings.vm.cpus)
    return usage(fmt::format("--cpu {} needs --cpus {} or more", settings.cpu, settings.cpu + 1));

  if (settings.engine == "kernel") {
    for (const char *option : {"--checked", "--cpus", "--seed", "--fib", "--clock-start", "--clock-step", "--type",
                               "--budget"})
      if (line.has(option))
        return usage(fmt::format("{} applies to the in-process engines (interp, jit), not to --engine=kernel", option));
  }
  if (std::optional<std::string> type = line.value("--type")) {
    std::optional<ir::ProgramType> parsed = ir::programTypeFromName(*type);
    if (!parsed || *parsed == ir::ProgramType::Unspec)
      return usage(fmt::format("--type: unknown program type '{}' (e.g. xdp, sched_cls, socket_filter, cgroup_skb)",
                               *type));
    settings.vm.load.defaultProgramType = *parsed;
  }

  for (const std::string &assignment : line.values("--ctx")) {
    const size_t equals = assignment.find('=');
    std::optional<uint64_t> value =
        equals == std::string::npos ? std::nullopt : parseNumber(assignment.substr(equals + 1));
    if (!value)
      return usage(fmt::format("--ctx takes FIELD=VALUE (e.g. --ctx mark=7), not '{}'", assignment));
    settings.context.emplace_back(assignment.substr(0, equals), *value);
  }

  std::string error;
  if (std::optional<std::string> path = line.value("--maps")) {
    std::optional<std::string> text = readInput(*path, error);
    if (!text || !parseMapContents(*path, *text, settings.initialMaps, error))
      return failed(error);
  }
  if (std::optional<std::string> path = line.value("--fib")) {
    std::optional<std::string> text = readInput(*path, error);
    if (!text || !parseFibTable(*path, *text, settings.vm.fib, error))
      return failed(error);
  }

  if (std::optional<std::string> path = line.value("--pcap")) {
    std::vector<std::string> warnings;
    if (!readPcap(*path, settings.packets, warnings, error))
      return failed(error);
    for (const std::string &warning : warnings)
      std::fprintf(stderr, "ebpfvm run: warning: %s\n", warning.c_str());
  }
  if (std::optional<std::string> path = line.value("--packets")) {
    std::optional<std::string> text = readInput(*path, error);
    if (!text || !readHexLines(*path, *text, settings.packets, error))
      return failed(error);
  }
  const std::vector<std::string> hexPackets = line.values("--packet");
  for (size_t i = 0; i < hexPackets.size(); ++i) {
    InputPacket packet;
    if (!parsePacketHex(hexPackets[i], packet.bytes, error))
      return usage(fmt::format("--packet {} (counting from 0): {}", i, error));
    packet.origin = fmt::format("--packet {}", i);
    settings.packets.push_back(std::move(packet));
  }
  if (settings.packets.empty())
    return usage(line.has("--pcap") || line.has("--packets")
                     ? "the input has no packets"
                     : "give packets: --pcap FILE, --packets FILE (hex lines) or --packet HEX");
  return true;
}

// The program's name and type, from --program/--section or the only one.
bool chooseProgram(const runtime::PacketObject &object, const CommandLine &line, runtime::ProgramSummary &chosen,
                   int &status) {
  const std::vector<runtime::ProgramSummary> programs = object.programs();
  std::string list;
  for (const runtime::ProgramSummary &program : programs)
    list += fmt::format("{}{} (section {})", list.empty() ? "" : ", ", program.name, program.section);
  const std::optional<std::string> name = line.value("--program"), section = line.value("--section");
  for (const runtime::ProgramSummary &program : programs)
    if ((name && program.name == *name) || (section && program.section == *section)) {
      chosen = program;
      return true;
    }
  if (!name && !section && programs.size() == 1) {
    chosen = programs[0];
    return true;
  }
  if (programs.empty())
    status = fail(object.path() + ": error: the object has no programs");
  else if (name || section)
    status = fail(fmt::format("{}: error: no program {} '{}'; the object has: {}", object.path(),
                              name ? "named" : "in section", name ? *name : *section, list));
  else
    status = fail(fmt::format("{}: error: the object has {} programs: {}; choose one with --program NAME or "
                              "--section SECTION",
                              object.path(), programs.size(), list),
                  2);
  return false;
}

void printHuman(size_t index, const InputPacket &input, const runtime::PacketInput &runInput,
                const runtime::ProgramSummary &program, const runtime::PacketResult &result, uint32_t repeat) {
  std::string text = fmt::format("packet {} ({}, {} bytes): {}\n", index, input.origin, input.bytes.size(),
                                 describeVerdict(program.type, result.returnValue));
  if (result.packet == input.bytes)
    text += "  packet unchanged\n";
  else
    text += fmt::format("  packet changed ({} -> {} bytes):\n{}", input.bytes.size(), result.packet.size(),
                        packetDiff(input.bytes, result.packet));
  for (const auto &[field, change] : changedContext(runInput, result))
    text += fmt::format("  context {}: {} -> {}\n", field, change.first, change.second);
  if (result.redirect)
    text += "  redirect: " + redirectText(*result.redirect) + "\n";
  if (result.trace)
    for (const std::string &trace : *result.trace)
      text += "  trace: " + trace + "\n";
  for (const auto &[map, records] : result.ringBuffers)
    for (const Bytes &record : records)
      text += fmt::format("  ringbuf {}: {}\n", map, suites::formatHex(record));
  for (const runtime::PerfRecord &record : result.perfEvents)
    text += fmt::format("  perf event {}[{}]: {}\n", record.map, record.index, suites::formatHex(record.data));
  for (const runtime::MapChange &change : result.mapChanges) {
    text += fmt::format("  map {} key {}: ", change.map, suites::formatHex(change.key));
    if (!change.before)
      text += "added " + valuesText(*change.after) + "\n";
    else if (!change.after)
      text += "removed (was " + valuesText(*change.before) + ")\n";
    else
      text += valuesText(*change.before) + " -> " + valuesText(*change.after) + "\n";
  }
  if (repeat > 1)
    text += fmt::format("  {} runs, {} ns per run\n", repeat, result.durationNs);
  if (result.fault) {
    std::string report = result.fault->describe();
    std::string indented;
    for (size_t start = 0; start < report.size();) {
      const size_t end = report.find('\n', start);
      indented += "  " + report.substr(start, end - start) + "\n";
      start = end == std::string::npos ? report.size() : end + 1;
    }
    text += "  fault: " + indented.substr(2);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
}

Json resultJson(size_t index, const InputPacket &input, const runtime::ProgramSummary &program,
                const runtime::PacketResult &result, uint32_t repeat) {
  Json node = Json::object();
  node["index"] = index;
  node["origin"] = input.origin;
  node["return"] = result.returnValue;
  const std::optional<std::string_view> verdict = verdictName(program.type, result.returnValue);
  node["verdict"] = verdict ? Json(std::string(*verdict)) : Json(nullptr);
  node["packet"] = suites::formatHex(result.packet);
  node["packet_changed"] = result.packet != input.bytes;
  node["context"] = Json(result.context);
  node["redirect"] = result.redirect ? redirectJson(*result.redirect) : Json(nullptr);
  node["trace"] = result.trace ? Json(*result.trace) : Json(nullptr);
  Json rings = Json::object();
  for (const auto &[map, records] : result.ringBuffers) {
    Json list = Json::array();
    for (const Bytes &record : records)
      list.push_back(suites::formatHex(record));
    rings[map] = std::move(list);
  }
  node["ringbuf"] = std::move(rings);
  Json perf = Json::array();
  for (const runtime::PerfRecord &record : result.perfEvents)
    perf.push_back({{"map", record.map}, {"index", record.index}, {"data", suites::formatHex(record.data)}});
  node["perf"] = std::move(perf);
  Json changes = Json::array();
  for (const runtime::MapChange &change : result.mapChanges)
    changes.push_back({{"map", change.map},
                       {"key", suites::formatHex(change.key)},
                       {"before", change.before ? valuesJson(*change.before) : Json(nullptr)},
                       {"after", change.after ? valuesJson(*change.after) : Json(nullptr)}});
  node["map_changes"] = std::move(changes);
  node["fault"] = result.fault ? Json(result.fault->describe()) : Json(nullptr);
  node["instructions"] = result.instructions;
  node["runs"] = repeat;
  node["duration_ns"] = result.durationNs;
  return node;
}

} // namespace

int runCommand(std::span<const std::string> args) {
  const CommandLine line(args,
                         {"--program", "--section", "--type", "--pcap", "--packet", "--packets", "--out-pcap",
                          "--maps", "--dump-maps", "--repeat", "--engine", "--cpus", "--cpu", "--seed", "--fib",
                          "--ctx", "--clock-start", "--clock-step", "--budget"},
                         {"--json", "--checked", "--no-progress", "--no-map-changes"});
  if (!line.ok())
    return fail(line.error(), 2);
  Settings settings;
  int status = 0;
  if (!readSettings(line, settings, status))
    return status;

  std::string error;
  std::unique_ptr<runtime::PacketEngine> engine =
      settings.engine == "kernel" ? runtime::createKernelPacketEngine(error)
                                  : runtime::createVmPacketEngine(settings.engine, settings.vm, error);
  if (!engine)
    return fail(settings.engine == "kernel" ? error
                                            : fmt::format("--engine: unknown engine '{}' (known: {})", settings.engine,
                                                          fmt::join(runtime::packetEngineNames(), ", ")),
                2);
  runtime::Expected<std::unique_ptr<runtime::PacketObject>> loaded = engine->load(settings.object, settings.initialMaps);
  if (!loaded)
    return fail(loaded.error().message);
  runtime::PacketObject &object = **loaded;
  runtime::ProgramSummary program;
  if (!chooseProgram(object, line, program, status))
    return status;

  Json results = Json::array();
  std::vector<OutputPacket> outputs;
  bool faulted = false;
  {
    Progress progress(settings.packets.size(), settings.progress);
    for (size_t i = 0; i < settings.packets.size(); ++i) {
      progress.update(i);
      const InputPacket &packet = settings.packets[i];
      runtime::PacketInput input;
      input.packet = packet.bytes;
      input.context = settings.context;
      input.cpu = settings.cpu;
      runtime::Expected<runtime::PacketResult> result = object.run(program.name, input, settings.run);
      if (!result) {
        const std::string &message = result.error().message;
        return fail(message.find(": error: ") != std::string::npos ? message
                                                                   : fmt::format("{}: {}", packet.origin, message));
      }
      faulted |= result->fault.has_value();
      if (settings.json)
        results.push_back(resultJson(i, packet, program, *result, settings.run.repeat));
      else
        printHuman(i, packet, input, program, *result, settings.run.repeat);
      outputs.push_back({result->packet, packet.timestampNs.value_or(uint64_t(i) * 1'000'000)});
    }
  }

  if (settings.outPcap && !writePcap(*settings.outPcap, outputs, error))
    return fail(error);

  Json maps;
  if (settings.dumpMaps) {
    std::vector<runtime::MapContents> contents;
    const std::vector<runtime::MapSummary> summaries = object.maps();
    for (const runtime::MapSummary &summary : summaries) {
      if (!summary.listable)
        continue;
      runtime::Expected<std::vector<runtime::MapEntryData>> entries = object.readMap(summary.name);
      if (!entries)
        return fail(entries.error().message);
      contents.push_back({summary.name, std::move(*entries)});
    }
    maps = mapContentsJson(contents, summaries);
    if (*settings.dumpMaps != "-") {
      std::ofstream out(*settings.dumpMaps);
      out << maps.dump(2) << "\n";
      if (!out)
        return fail(*settings.dumpMaps + ": cannot write the map contents");
    }
  }

  if (settings.json) {
    Json document = Json::object();
    document["object"] = settings.object;
    document["program"] = program.name;
    document["section"] = program.section;
    document["type"] = std::string(ir::programTypeName(program.type));
    document["engine"] = std::string(engine->name());
    document["packets"] = std::move(results);
    if (settings.dumpMaps && *settings.dumpMaps == "-")
      document["maps"] = std::move(maps);
    std::printf("%s\n", document.dump(2).c_str());
  } else if (settings.dumpMaps && *settings.dumpMaps == "-") {
    std::printf("maps:\n%s\n", maps.dump(2).c_str());
  }
  return faulted ? 1 : 0;
}

} // namespace ebpfc::ebpfvm

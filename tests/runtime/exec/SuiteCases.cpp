#include "tests/runtime/exec/SuiteCases.h"

#include "suites/ContextFields.h"

#include <map>

namespace ebpfc::runtime::testing {

namespace {

MapEntryData entryData(const suites::MapEntrySpec &entry) {
  MapEntryData data{entry.key, {}};
  if (entry.value) {
    data.values.push_back(entry.value->bytes);
    return data;
  }
  const size_t size = entry.cpuValues.begin()->second.bytes.size();
  data.values.assign(entry.cpuValues.rbegin()->first + 1, Bytes(size, 0));
  for (const auto &[cpu, value] : entry.cpuValues)
    data.values[cpu] = value.bytes;
  return data;
}

bool dumpListable(const PacketObject &object, std::map<std::string, suites::MapState> &states, std::string &error) {
  states.clear();
  for (const MapSummary &summary : object.maps()) {
    if (!summary.listable)
      continue;
    Expected<std::vector<MapEntryData>> entries = object.readMap(summary.name);
    if (!entries) {
      error = entries.error().message;
      return false;
    }
    suites::MapState &state = states[summary.name];
    state.perCpu = summary.perCpu;
    for (MapEntryData &entry : *entries)
      state.entries.push_back({std::move(entry.key), std::move(entry.values)});
  }
  return true;
}

} // namespace

std::vector<MapContents> initialContents(const suites::Suite &suite, const suites::CaseSpec &spec) {
  std::vector<MapContents> contents;
  for (const std::vector<suites::MapContents> *maps : {&suite.maps, &spec.maps})
    for (const suites::MapContents &map : *maps) {
      MapContents converted{map.map, {}};
      for (const suites::MapEntrySpec &entry : map.entries)
        converted.entries.push_back(entryData(entry));
      contents.push_back(std::move(converted));
    }
  return contents;
}

bool runCase(const PacketEngine &engine, const std::string &object, const suites::Suite &suite,
             const suites::CaseSpec &spec, suites::CaseResult &result, std::string &error) {
  Expected<std::unique_ptr<PacketObject>> loaded = engine.load(object, initialContents(suite, spec));
  if (!loaded) {
    error = loaded.error().message;
    return false;
  }
  PacketObject &instance = **loaded;
  const std::string &entry = suite.program.entry;
  ir::ProgramType type = ir::ProgramType::Unspec;
  for (const ProgramSummary &program : instance.programs())
    if (entry.empty() || program.name == entry || program.section == entry)
      type = program.type;
  const std::optional<ContextKind> kind = contextKindFor(type);
  result.contextKind = kind == ContextKind::Skb ? suites::ContextKind::Skb : suites::ContextKind::Xdp;

  if (!dumpListable(instance, result.mapsBefore, error))
    return false;
  PacketInput input;
  input.packet = spec.packet;
  for (const suites::ContextValue &value : spec.context)
    input.context.emplace_back(value.field, value.value);
  Expected<PacketResult> run = instance.run(entry, input);
  if (!run) {
    error = run.error().message;
    return false;
  }
  if (run->fault) {
    error = "the run faulted: " + run->fault->describe();
    return false;
  }
  result.returnValue = run->returnValue;
  result.packet = run->packet;
  // The fields suites know, as BPF_PROG_TEST_RUN reports them.
  result.context.clear();
  for (const suites::ContextField &field : suites::contextFields())
    if (field.kind == result.contextKind)
      if (auto it = run->context.find(std::string(field.name)); it != run->context.end())
        result.context[it->first] = it->second;
  result.trace = run->trace;
  result.ringBuffers = run->ringBuffers;
  return dumpListable(instance, result.mapsAfter, error);
}

} // namespace ebpfc::runtime::testing

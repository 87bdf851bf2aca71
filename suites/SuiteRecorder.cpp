#include "suites/SuiteRecorder.h"

#include "suites/ReturnValues.h"
#include "suites/SuiteJsonWriter.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ebpfc::suites {
namespace {

constexpr size_t kSmallMapEntries = 16;
constexpr size_t kBytesPerLine = 16;

// Byte counts of the lines the input packet was written in.
std::vector<size_t> lineLengths(const Json &inputPacket) {
  std::vector<size_t> lengths;
  BytePattern line;
  std::string error;
  if (inputPacket.is_array()) {
    for (const Json &part : inputPacket)
      if (part.is_string() && parseHex(part.get<std::string>(), false, line, error))
        lengths.push_back(line.bytes.size());
  } else if (inputPacket.is_string() && parseHex(inputPacket.get<std::string>(), false, line, error)) {
    lengths.push_back(line.bytes.size());
  }
  return lengths;
}

// Splits `packet` into lines shaped like the input's: the input's lines from
// the end (headers that moved keep their line), then the input's first line
// at the front and whatever remains (bytes a program pushed in front, e.g.
// an encapsulation header) on a line of its own. Without a usable input
// layout, 16 bytes per line.
Json packetLines(const Bytes &packet, const std::vector<size_t> &inputLines) {
  std::vector<size_t> tail; // line lengths from the end, reversed
  size_t remaining = packet.size();
  for (size_t i = inputLines.size(); i-- > 1 && inputLines[i] > 0 && remaining >= inputLines[i];) {
    tail.push_back(inputLines[i]);
    remaining -= inputLines[i];
  }
  std::vector<size_t> lengths;
  if (!inputLines.empty() && inputLines[0] > 0 && remaining >= inputLines[0]) {
    lengths.push_back(inputLines[0]);
    if (remaining > inputLines[0])
      lengths.push_back(remaining - inputLines[0]);
  } else {
    for (size_t offset = 0; offset < remaining; offset += kBytesPerLine)
      lengths.push_back(std::min(kBytesPerLine, remaining - offset));
  }
  lengths.insert(lengths.end(), tail.rbegin(), tail.rend());

  Json lines = Json::array();
  size_t offset = 0;
  for (size_t length : lengths) {
    lines.push_back(formatHex(Bytes(packet.begin() + offset, packet.begin() + offset + length)));
    offset += length;
  }
  return lines.size() == 1 ? lines[0] : lines;
}

Json entryJson(const MapEntryState &entry, bool perCpu) {
  Json json = Json::object();
  json["key"] = formatHex(entry.key);
  if (!perCpu) {
    json["value"] = formatHex(entry.values.front());
    return json;
  }
  Json cpus = Json::object();
  for (size_t cpu = 0; cpu < entry.values.size(); cpu++) {
    bool zero = std::all_of(entry.values[cpu].begin(), entry.values[cpu].end(), [](uint8_t b) { return b == 0; });
    if (cpu == 0 || !zero)
      cpus[std::to_string(cpu)] = formatHex(entry.values[cpu]);
  }
  json["cpus"] = cpus;
  return json;
}

uint64_t inputContextValue(const CaseSpec &spec, const std::string &field) {
  for (const ContextValue &given : spec.context)
    if (given.field == field)
      return given.value;
  return 0;
}

// Entries sorted by key: hash maps iterate in an order that differs from
// run to run, a recorded file must not.
std::vector<MapEntryState> sortedByKey(std::vector<MapEntryState> entries) {
  std::sort(entries.begin(), entries.end(), [](const MapEntryState &a, const MapEntryState &b) {
    return formatHexCompact(a.key) < formatHexCompact(b.key);
  });
  return entries;
}

Json recordMap(const MapState &before, const MapState &after) {
  Json entries = Json::array();
  bool small = after.entries.size() <= kSmallMapEntries;
  for (const MapEntryState &entry : sortedByKey(after.entries)) {
    const MapEntryState *old = before.find(entry.key);
    if (small || !old || old->values != entry.values)
      entries.push_back(entryJson(entry, after.perCpu));
  }
  for (const MapEntryState &entry : sortedByKey(before.entries))
    if (!after.find(entry.key))
      entries.push_back(Json{{"key", formatHex(entry.key)}, {"absent", true}});
  return entries;
}

} // namespace

void ProgramWrites::learnFrom(const CaseSpec &spec, const CaseResult &result) {
  for (const auto &[name, after] : result.mapsAfter) {
    auto before = result.mapsBefore.find(name);
    if (before == result.mapsBefore.end() || !(before->second == after))
      maps.insert(name);
  }
  for (const auto &[field, value] : result.context) {
    const ContextField *known = findContextField(result.contextKind, field);
    if (known && known->writableByProgram && value != inputContextValue(spec, field))
      contextFields.insert(field);
  }
}

Json recordExpectations(const CaseSpec &spec, const Json &inputPacket, const CaseResult &result,
                        const ProgramWrites &writes) {
  Json expect = Json::object();
  if (auto name = returnValueName(result.contextKind, result.returnValue))
    expect["return"] = std::string(*name);
  else
    expect["return"] = result.returnValue;

  if (result.packet != spec.packet)
    expect["packet"] = packetLines(result.packet, lineLengths(inputPacket));

  Json context = Json::object();
  for (const auto &[field, value] : result.context)
    if (writes.contextFields.count(field))
      context[field] = value;
  if (!context.empty())
    expect["context"] = context;

  Json maps = Json::object();
  for (const auto &[name, after] : result.mapsAfter) {
    if (!writes.maps.count(name))
      continue;
    auto before = result.mapsBefore.find(name);
    Json entries = recordMap(before == result.mapsBefore.end() ? MapState{} : before->second, after);
    if (!entries.empty())
      maps[name] = entries;
  }
  if (!maps.empty())
    expect["maps"] = maps;

  if (result.trace && !result.trace->empty())
    expect["trace"] = *result.trace;

  Json rings = Json::object();
  for (const auto &[name, records] : result.ringBuffers) {
    if (records.empty())
      continue;
    Json list = Json::array();
    for (const Bytes &record : records)
      list.push_back(formatHex(record));
    rings[name] = list;
  }
  if (!rings.empty())
    expect["ringbuf"] = rings;
  return expect;
}

bool readSuiteJson(const Suite &suite, Json &root, std::string &error) {
  std::ifstream file(suite.path, std::ios::binary);
  if (!file) {
    error = suite.path.string() + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::stringstream text;
  text << file.rdbuf();
  JsonSyntaxError syntaxError;
  std::optional<LocatedJson> json = parseLocatedJson(text.str(), syntaxError);
  if (!json) {
    error = suite.path.string() + ":" + std::to_string(syntaxError.line) + ": " + syntaxError.message;
    return false;
  }
  root = std::move(json->root);
  return true;
}

bool writeRecordedExpectations(const Suite &suite, const std::map<std::string, Json> &expectations,
                               std::string &error) {
  Json root;
  if (!readSuiteJson(suite, root, error))
    return false;
  for (Json &caseJson : root["cases"]) {
    auto recorded = expectations.find(caseJson.value("name", ""));
    if (recorded == expectations.end())
      continue;
    Json expect = Json::object();
    if (caseJson.contains("expect") && caseJson["expect"].contains("comment"))
      expect["comment"] = caseJson["expect"]["comment"];
    for (const auto &[key, value] : recorded->second.items())
      expect[key] = value;
    caseJson["expect"] = expect;
  }
  std::string temporary = suite.path.string() + ".recording";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!(out << writeSuiteJson(root)) || !out.flush()) {
      error = temporary + ": cannot write: " + std::strerror(errno);
      return false;
    }
  }
  if (std::rename(temporary.c_str(), suite.path.c_str()) != 0) {
    error = suite.path.string() + ": cannot replace: " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace ebpfc::suites

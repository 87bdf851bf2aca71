#include "suites/CaseCheck.h"

#include "suites/ReturnValues.h"

#include <algorithm>

namespace ebpfc::suites {
namespace {

std::string quotedLines(const std::vector<std::string> &lines) {
  if (lines.empty())
    return "nothing";
  std::string text;
  for (const std::string &line : lines)
    text += (text.empty() ? "\"" : ", \"") + line + "\"";
  return text;
}

void checkMaps(const std::vector<MapContents> &expectedMaps, const CaseResult &result,
               std::vector<std::string> &problems) {
  for (const MapContents &expected : expectedMaps) {
    auto found = result.mapsAfter.find(expected.map);
    if (found == result.mapsAfter.end()) {
      problems.push_back("map \"" + expected.map + "\" (" + expected.where.toString() +
                         "): the object has no such map");
      continue;
    }
    const MapState &state = found->second;
    for (const MapEntrySpec &entry : expected.entries) {
      std::string what = "map \"" + expected.map + "\" key " + formatHex(entry.key);
      const MapEntryState *actual = state.find(entry.key);
      if (entry.absent) {
        if (actual)
          problems.push_back(what + ": expected absent, but it is present with value " +
                             formatHex(actual->values.front()));
        continue;
      }
      if (!actual) {
        problems.push_back(what + ": expected present, but the map has no such key");
        continue;
      }
      if (entry.value) {
        if (state.perCpu) {
          problems.push_back(what + ": the map is per-CPU; give \"cpus\" instead of \"value\" (" +
                             entry.where.toString() + ")");
        } else if (!entry.value->matches(actual->values.front())) {
          problems.push_back(what + ": expected value " + entry.value->toHex() + ", got " +
                             formatHex(actual->values.front()));
        }
        continue;
      }
      if (!state.perCpu) {
        problems.push_back(what + ": the map is not per-CPU; give \"value\" instead of \"cpus\" (" +
                           entry.where.toString() + ")");
        continue;
      }
      for (const auto &[cpu, pattern] : entry.cpuValues) {
        if (cpu >= actual->values.size())
          problems.push_back(what + ": CPU " + std::to_string(cpu) + " does not exist (" +
                             std::to_string(actual->values.size()) + " CPUs)");
        else if (!pattern.matches(actual->values[cpu]))
          problems.push_back(what + " on CPU " + std::to_string(cpu) + ": expected value " + pattern.toHex() +
                             ", got " + formatHex(actual->values[cpu]));
      }
    }
  }
}

void checkRingBuffers(const Expectations &expect, const CaseResult &result, std::vector<std::string> &problems) {
  for (const RingBufferRecords &ring : expect.ringBuffers)
    if (!result.ringBuffers.count(ring.map))
      problems.push_back("ring buffer \"" + ring.map + "\" (" + ring.where.toString() +
                         "): the object has no such ring buffer");
  for (const auto &[name, records] : result.ringBuffers) {
    auto expected = std::find_if(expect.ringBuffers.begin(), expect.ringBuffers.end(),
                                 [&](const RingBufferRecords &ring) { return ring.map == name; });
    size_t expectedCount = expected == expect.ringBuffers.end() ? 0 : expected->records.size();
    if (records.size() != expectedCount) {
      problems.push_back("ring buffer \"" + name + "\": expected " + std::to_string(expectedCount) +
                         " records, got " + std::to_string(records.size()));
      continue;
    }
    for (size_t i = 0; i < records.size(); i++)
      if (!expected->records[i].matches(records[i]))
        problems.push_back("ring buffer \"" + name + "\" record " + std::to_string(i) + ": " +
                           describePacketMismatch(expected->records[i], records[i]));
  }
}

} // namespace

const MapEntryState *MapState::find(const Bytes &key) const {
  for (const MapEntryState &entry : entries)
    if (entry.key == key)
      return &entry;
  return nullptr;
}

std::string describePacketMismatch(const BytePattern &expected, const Bytes &actual) {
  size_t common = std::min(expected.bytes.size(), actual.size());
  size_t first = common;
  for (size_t i = 0; i < common; i++)
    if ((actual[i] & expected.mask[i]) != (expected.bytes[i] & expected.mask[i])) {
      first = i;
      break;
    }
  std::string text = "expected " + std::to_string(expected.bytes.size()) + " bytes " + expected.toHex() +
                     ", got " + std::to_string(actual.size()) + " bytes " + formatHex(actual);
  if (first < common)
    return text + " (first difference at byte " + std::to_string(first) + ")";
  return text + " (lengths differ)";
}

std::vector<std::string> checkCase(const CaseSpec &spec, const Bytes &inputPacket, const CaseResult &result) {
  std::vector<std::string> problems;
  if (!spec.hasExpectations || !spec.expect.returnValue) {
    problems.push_back("the case has no expected return value (" + spec.where.toString() +
                       "); record one with --record and review it");
    return problems;
  }
  const Expectations &expect = spec.expect;
  if (result.returnValue != *expect.returnValue)
    problems.push_back("return value: expected " + describeReturnValue(result.contextKind, *expect.returnValue) +
                       ", got " + describeReturnValue(result.contextKind, result.returnValue));

  BytePattern expectedPacket = expect.packet ? *expect.packet : BytePattern::exactly(inputPacket);
  if (!expectedPacket.matches(result.packet))
    problems.push_back(std::string(expect.packet ? "output packet: " : "output packet (expected unchanged): ") +
                       describePacketMismatch(expectedPacket, result.packet));

  for (const ContextValue &field : expect.context) {
    auto actual = result.context.find(field.field);
    if (actual == result.context.end())
      problems.push_back("context field \"" + field.field + "\" (" + field.where.toString() + ") is not in " +
                         std::string(contextKindName(result.contextKind)));
    else if (actual->second != field.value)
      problems.push_back("context " + field.field + ": expected " + std::to_string(field.value) + ", got " +
                         std::to_string(actual->second));
  }

  checkMaps(expect.maps, result, problems);

  if (result.trace && *result.trace != expect.trace)
    problems.push_back("trace output: expected " + quotedLines(expect.trace) + ", got " + quotedLines(*result.trace));

  checkRingBuffers(expect, result, problems);
  return problems;
}

std::vector<std::string> describeDifferences(const CaseResult &a, const CaseResult &b, const std::string &left,
                                             const std::string &right) {
  std::vector<std::string> differences;
  auto differ = [&](const std::string &what, const std::string &leftValue, const std::string &rightValue) {
    differences.push_back(what + ": " + left + " " + leftValue + ", " + right + " " + rightValue);
  };
  if (a.returnValue != b.returnValue)
    differ("return value", describeReturnValue(a.contextKind, a.returnValue),
           describeReturnValue(b.contextKind, b.returnValue));
  if (a.packet != b.packet)
    differ("output packet", formatHex(a.packet), formatHex(b.packet));
  for (const auto &[field, value] : a.context) {
    auto other = b.context.find(field);
    if (other != b.context.end() && other->second != value)
      differ("context " + field, std::to_string(value), std::to_string(other->second));
  }
  for (const auto &[name, state] : a.mapsAfter) {
    auto other = b.mapsAfter.find(name);
    if (other == b.mapsAfter.end()) {
      differences.push_back("map \"" + name + "\": only " + left + " has it");
      continue;
    }
    for (const MapEntryState &entry : state.entries) {
      const MapEntryState *match = other->second.find(entry.key);
      std::string what = "map \"" + name + "\" key " + formatHex(entry.key);
      if (!match)
        differ(what, "has it", "does not");
      else if (match->values != entry.values)
        for (size_t cpu = 0; cpu < std::min(entry.values.size(), match->values.size()); cpu++)
          if (entry.values[cpu] != match->values[cpu])
            differ(what + (state.perCpu ? " CPU " + std::to_string(cpu) : ""), formatHex(entry.values[cpu]),
                   formatHex(match->values[cpu]));
    }
    for (const MapEntryState &entry : other->second.entries)
      if (!state.find(entry.key))
        differ("map \"" + name + "\" key " + formatHex(entry.key), "does not have it", "has it");
  }
  for (const auto &[name, state] : b.mapsAfter)
    if (!a.mapsAfter.count(name))
      differences.push_back("map \"" + name + "\": only " + right + " has it");
  if (a.trace && b.trace && *a.trace != *b.trace)
    differ("trace output", quotedLines(*a.trace), quotedLines(*b.trace));
  for (const auto &[name, records] : a.ringBuffers) {
    auto other = b.ringBuffers.find(name);
    const std::vector<Bytes> none;
    const std::vector<Bytes> &otherRecords = other == b.ringBuffers.end() ? none : other->second;
    if (records.size() != otherRecords.size())
      differ("ring buffer \"" + name + "\" records", std::to_string(records.size()), std::to_string(otherRecords.size()));
    for (size_t i = 0; i < std::min(records.size(), otherRecords.size()); i++)
      if (records[i] != otherRecords[i])
        differ("ring buffer \"" + name + "\" record " + std::to_string(i), formatHex(records[i]),
               formatHex(otherRecords[i]));
  }
  return differences;
}

} // namespace ebpfc::suites

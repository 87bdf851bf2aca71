#include "suites/SuiteFile.h"

#include "suites/ContextFields.h"
#include "suites/LocatedJson.h"
#include "suites/ReturnValues.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace ebpfc::suites {
namespace {

namespace fs = std::filesystem;

// Thrown inside the reader, turned into a SuiteError at its boundary: the
// first problem ends the load.
struct FormatError {
  std::string pointer;
  std::string message;
};

[[noreturn]] void fail(const std::string &pointer, std::string message) {
  throw FormatError{pointer, std::move(message)};
}

std::string typeName(const Json &node) {
  switch (node.type()) {
  case Json::value_t::object: return "an object";
  case Json::value_t::array: return "an array";
  case Json::value_t::string: return "a string";
  case Json::value_t::boolean: return "a boolean";
  case Json::value_t::number_integer:
  case Json::value_t::number_unsigned: return "an integer";
  case Json::value_t::number_float: return "a floating-point number";
  case Json::value_t::null: return "null";
  default: return "an unexpected value";
  }
}

std::string quotedList(std::initializer_list<std::string_view> names) {
  std::string list;
  for (std::string_view name : names) {
    if (!list.empty())
      list += ", ";
    list += "\"" + std::string(name) + "\"";
  }
  return list;
}

// Checks that `node` is an object whose keys are all in `allowed` (plus
// "comment", welcome everywhere).
void expectObject(const Json &node, const std::string &pointer, std::initializer_list<std::string_view> allowed) {
  if (!node.is_object())
    fail(pointer, "expected an object, found " + typeName(node));
  for (const auto &[key, value] : node.items()) {
    if (key == "comment") {
      if (!value.is_string())
        fail(childPointer(pointer, key), "\"comment\" must be a string");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      fail(childPointer(pointer, key), "unknown field \"" + key + "\"; expected one of " + quotedList(allowed));
  }
}

const Json &required(const Json &object, const std::string &pointer, const char *key) {
  if (!object.contains(key))
    fail(pointer, std::string("missing field \"") + key + "\"");
  return object.at(key);
}

std::string readString(const Json &node, const std::string &pointer) {
  if (!node.is_string())
    fail(pointer, "expected a string, found " + typeName(node));
  return node.get<std::string>();
}

uint64_t readUnsigned(const Json &node, const std::string &pointer) {
  // nlohmann_json stores every integer >= 0 as unsigned.
  if (!node.is_number_unsigned())
    fail(pointer, "expected a non-negative integer, found " +
                      (node.is_number_integer() ? std::string("a negative one") : typeName(node)));
  return node.get<uint64_t>();
}

class SuiteReader {
public:
  SuiteReader(fs::path path, const LocatedJson &json) : path_(std::move(path)), json_(json) {}

  Suite read() {
    const Json &root = json_.root;
    expectObject(root, "", {"format", "program", "maps", "cases"});
    std::string format = readString(required(root, "", "format"), "/format");
    if (format != kSuiteFormat)
      fail("/format", "unsupported format \"" + format + "\"; this version reads \"" + kSuiteFormat + "\"");

    Suite suite;
    suite.path = path_;
    if (root.contains("comment"))
      suite.comment = root.at("comment").get<std::string>();
    suite.program = readProgram(required(root, "", "program"), "/program");
    if (root.contains("maps"))
      suite.maps = readMaps(root.at("maps"), "/maps", MapUse::Initial);

    const Json &cases = required(root, "", "cases");
    if (!cases.is_array())
      fail("/cases", "expected an array of cases, found " + typeName(cases));
    std::set<std::string> names;
    for (size_t i = 0; i < cases.size(); i++) {
      std::string pointer = childPointer("/cases", i);
      CaseSpec spec = readCase(cases[i], pointer);
      if (!names.insert(spec.name).second)
        fail(childPointer(pointer, "name"), "another case is already named \"" + spec.name + "\"");
      suite.cases.push_back(std::move(spec));
    }
    return suite;
  }

private:
  enum class MapUse { Initial, Expected };

  Location at(const std::string &pointer) const { return {path_.string(), json_.lineOf(pointer), pointer}; }

  fs::path existingFile(const Json &node, const std::string &pointer, const char *what) {
    fs::path relative = readString(node, pointer);
    fs::path resolved = relative.is_absolute() ? relative : path_.parent_path() / relative;
    std::error_code error;
    if (!fs::is_regular_file(resolved, error))
      fail(pointer, std::string(what) + " \"" + relative.string() + "\" does not exist (looked for " +
                        resolved.lexically_normal().string() + ")");
    return resolved.lexically_normal();
  }

  ProgramSpec readProgram(const Json &node, const std::string &pointer) {
    expectObject(node, pointer, {"source", "flags", "object", "name", "section"});
    ProgramSpec program;
    program.where = at(pointer);
    bool hasSource = node.contains("source"), hasObject = node.contains("object");
    if (hasSource == hasObject)
      fail(pointer, "give exactly one of \"source\" (compiled with \"flags\") and \"object\"");
    if (hasSource)
      program.source = existingFile(node.at("source"), childPointer(pointer, "source"), "source file");
    if (hasObject)
      program.object = existingFile(node.at("object"), childPointer(pointer, "object"), "object file");
    if (node.contains("flags")) {
      std::string flagsPointer = childPointer(pointer, "flags");
      if (hasObject)
        fail(flagsPointer, "\"flags\" apply to a \"source\", not to an \"object\"");
      const Json &flags = node.at("flags");
      if (!flags.is_array())
        fail(flagsPointer, "expected an array of strings, found " + typeName(flags));
      for (size_t i = 0; i < flags.size(); i++)
        program.flags.push_back(readString(flags[i], childPointer(flagsPointer, i)));
    } else if (hasSource) {
      program.flags = {"-O2", "-g"};
    }
    if (node.contains("name") && node.contains("section"))
      fail(pointer, "give \"name\" (the program's function) or \"section\", not both");
    if (node.contains("name"))
      program.entry = readString(node.at("name"), childPointer(pointer, "name"));
    if (node.contains("section"))
      program.entry = readString(node.at("section"), childPointer(pointer, "section"));
    return program;
  }

  BytePattern readHex(const Json &node, const std::string &pointer, bool allowWildcards) {
    BytePattern pattern;
    std::string error;
    if (!parseHex(readString(node, pointer), allowWildcards, pattern, error))
      fail(pointer, error);
    return pattern;
  }

  // A string of hex, or an array of such strings (one header per line)
  // concatenated.
  BytePattern readHexLines(const Json &node, const std::string &pointer, bool allowWildcards) {
    if (!node.is_array())
      return readHex(node, pointer, allowWildcards);
    BytePattern all;
    for (size_t i = 0; i < node.size(); i++) {
      BytePattern part = readHex(node[i], childPointer(pointer, i), allowWildcards);
      all.bytes.insert(all.bytes.end(), part.bytes.begin(), part.bytes.end());
      all.mask.insert(all.mask.end(), part.mask.begin(), part.mask.end());
    }
    return all;
  }

  Bytes readPcapPacket(const Json &node, const std::string &pointer) {
    expectObject(node, pointer, {"pcap", "index"});
    std::string pcapPointer = childPointer(pointer, "pcap");
    fs::path file = existingFile(required(node, pointer, "pcap"), pcapPointer, "pcap file");
    uint64_t index = node.contains("index") ? readUnsigned(node.at("index"), childPointer(pointer, "index")) : 0;
    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap_t *capture = pcap_open_offline(file.c_str(), errorBuffer);
    if (!capture)
      fail(pcapPointer, "cannot read " + file.string() + ": " + errorBuffer);
    pcap_pkthdr *header;
    const u_char *data;
    uint64_t seen = 0;
    Bytes packet;
    bool found = false;
    while (pcap_next_ex(capture, &header, &data) == 1) {
      if (seen++ == index) {
        packet.assign(data, data + header->caplen);
        found = true;
        break;
      }
    }
    pcap_close(capture);
    if (!found)
      fail(childPointer(pointer, node.contains("index") ? "index" : "pcap"),
           "packet index " + std::to_string(index) + " is past the end of " + file.filename().string() + " (" +
               std::to_string(seen) + " packets; indexes start at 0)");
    return packet;
  }

  Bytes readInputPacket(const Json &node, const std::string &pointer) {
    Bytes packet = node.is_object() ? readPcapPacket(node, pointer) : readHexLines(node, pointer, false).bytes;
    if (packet.empty())
      fail(pointer, "the packet is empty");
    return packet;
  }

  std::vector<ContextValue> readContext(const Json &node, const std::string &pointer) {
    if (!node.is_object())
      fail(pointer, "expected an object of context fields, found " + typeName(node));
    std::vector<ContextValue> values;
    for (const auto &[field, value] : node.items()) {
      std::string fieldPointer = childPointer(pointer, field);
      if (field == "comment")
        continue;
      if (!isContextFieldName(field)) {
        std::string known;
        for (const ContextField &f : contextFields())
          if (known.find(" " + std::string(f.name) + ",") == std::string::npos)
            known += " " + std::string(f.name) + ",";
        known.pop_back();
        fail(fieldPointer, "unknown context field \"" + field + "\"; known fields:" + known);
      }
      values.push_back({field, readUnsigned(value, fieldPointer), at(fieldPointer)});
    }
    return values;
  }

  MapEntrySpec readMapEntry(const Json &node, const std::string &pointer, MapUse use) {
    bool expected = use == MapUse::Expected;
    if (expected)
      expectObject(node, pointer, {"key", "value", "cpus", "absent"});
    else
      expectObject(node, pointer, {"key", "value", "cpus"});
    MapEntrySpec entry;
    entry.where = at(pointer);
    entry.key = readHexLines(required(node, pointer, "key"), childPointer(pointer, "key"), false).bytes;
    if (node.contains("absent")) {
      const Json &absent = node.at("absent");
      if (!absent.is_boolean() || !absent.get<bool>())
        fail(childPointer(pointer, "absent"), "\"absent\" can only be true (leave it out otherwise)");
      if (node.contains("value") || node.contains("cpus"))
        fail(pointer, "an absent key has no \"value\" or \"cpus\"");
      entry.absent = true;
      return entry;
    }
    if (node.contains("value") == node.contains("cpus"))
      fail(pointer, std::string("give exactly one of \"value\" and \"cpus\" (per-CPU maps)") +
                        (expected ? ", or \"absent\": true" : ""));
    if (node.contains("value"))
      entry.value = readHexLines(node.at("value"), childPointer(pointer, "value"), expected);
    if (node.contains("cpus")) {
      std::string cpusPointer = childPointer(pointer, "cpus");
      const Json &cpus = node.at("cpus");
      if (!cpus.is_object() || cpus.empty())
        fail(cpusPointer, "expected an object of CPU number -> value, e.g. {\"0\": \"01000000\"}");
      for (const auto &[cpu, value] : cpus.items()) {
        std::string cpuPointer = childPointer(cpusPointer, cpu);
        if (cpu.empty() || cpu.size() > 4 || !std::all_of(cpu.begin(), cpu.end(), ::isdigit))
          fail(cpuPointer, "\"" + cpu + "\" is not a CPU number");
        entry.cpuValues[unsigned(std::stoul(cpu))] = readHexLines(value, cpuPointer, expected);
      }
    }
    return entry;
  }

  std::vector<MapContents> readMaps(const Json &node, const std::string &pointer, MapUse use) {
    if (!node.is_object())
      fail(pointer, "expected an object of map name -> entries, found " + typeName(node));
    std::vector<MapContents> maps;
    for (const auto &[name, entries] : node.items()) {
      if (name == "comment")
        continue;
      std::string mapPointer = childPointer(pointer, name);
      if (!entries.is_array())
        fail(mapPointer, "expected an array of {\"key\": ..., \"value\": ...} entries, found " + typeName(entries));
      MapContents contents{name, {}, at(mapPointer)};
      std::set<std::string> keys; // as hex: GCC 12 warns falsely about std::set<std::vector<uint8_t>>
      for (size_t i = 0; i < entries.size(); i++) {
        std::string entryPointer = childPointer(mapPointer, i);
        MapEntrySpec entry = readMapEntry(entries[i], entryPointer, use);
        if (!keys.insert(formatHexCompact(entry.key)).second)
          fail(childPointer(entryPointer, "key"), "key " + formatHex(entry.key) + " appears twice in map \"" + name + "\"");
        contents.entries.push_back(std::move(entry));
      }
      maps.push_back(std::move(contents));
    }
    return maps;
  }

  uint32_t readReturnValue(const Json &node, const std::string &pointer) {
    if (node.is_string()) {
      std::string name = node.get<std::string>();
      if (auto value = returnValueByName(name))
        return *value;
      fail(pointer, "unknown return value name \"" + name + "\"; use XDP_* or TC_ACT_* names, or a number");
    }
    if (node.is_number_integer()) {
      if (node.is_number_unsigned() && node.get<uint64_t>() <= 0xffffffffu)
        return uint32_t(node.get<uint64_t>());
      if (!node.is_number_unsigned() && node.get<int64_t>() >= INT32_MIN)
        return uint32_t(int32_t(node.get<int64_t>()));
      fail(pointer, "the return value does not fit in 32 bits");
    }
    fail(pointer, "expected a return value name (\"XDP_PASS\") or an integer, found " + typeName(node));
  }

  Expectations readExpectations(const Json &node, const std::string &pointer) {
    expectObject(node, pointer, {"return", "packet", "context", "maps", "trace", "ringbuf"});
    Expectations expect;
    if (node.contains("return")) {
      std::string returnPointer = childPointer(pointer, "return");
      expect.returnValue = readReturnValue(node.at("return"), returnPointer);
      expect.returnWhere = at(returnPointer);
    }
    if (node.contains("packet")) {
      std::string packetPointer = childPointer(pointer, "packet");
      expect.packet = readHexLines(node.at("packet"), packetPointer, true);
      expect.packetWhere = at(packetPointer);
    }
    if (node.contains("context"))
      expect.context = readContext(node.at("context"), childPointer(pointer, "context"));
    if (node.contains("maps"))
      expect.maps = readMaps(node.at("maps"), childPointer(pointer, "maps"), MapUse::Expected);
    if (node.contains("trace")) {
      std::string tracePointer = childPointer(pointer, "trace");
      const Json &trace = node.at("trace");
      if (!trace.is_array())
        fail(tracePointer, "expected an array of lines, found " + typeName(trace));
      for (size_t i = 0; i < trace.size(); i++)
        expect.trace.push_back(readString(trace[i], childPointer(tracePointer, i)));
    }
    if (node.contains("ringbuf")) {
      std::string ringPointer = childPointer(pointer, "ringbuf");
      const Json &rings = node.at("ringbuf");
      if (!rings.is_object())
        fail(ringPointer, "expected an object of ring buffer name -> records, found " + typeName(rings));
      for (const auto &[name, records] : rings.items()) {
        if (name == "comment")
          continue;
        std::string mapPointer = childPointer(ringPointer, name);
        if (!records.is_array())
          fail(mapPointer, "expected an array of records (hex strings), found " + typeName(records));
        RingBufferRecords ring{name, {}, at(mapPointer)};
        for (size_t i = 0; i < records.size(); i++)
          ring.records.push_back(readHexLines(records[i], childPointer(mapPointer, i), true));
        expect.ringBuffers.push_back(std::move(ring));
      }
    }
    return expect;
  }

  CaseSpec readCase(const Json &node, const std::string &pointer) {
    expectObject(node, pointer, {"name", "packet", "context", "maps", "expect"});
    CaseSpec spec;
    spec.where = at(pointer);
    spec.name = readString(required(node, pointer, "name"), childPointer(pointer, "name"));
    if (spec.name.empty())
      fail(childPointer(pointer, "name"), "the case name is empty");
    std::string packetPointer = childPointer(pointer, "packet");
    spec.packet = readInputPacket(required(node, pointer, "packet"), packetPointer);
    spec.packetWhere = at(packetPointer);
    if (node.contains("context"))
      spec.context = readContext(node.at("context"), childPointer(pointer, "context"));
    if (node.contains("maps"))
      spec.maps = readMaps(node.at("maps"), childPointer(pointer, "maps"), MapUse::Initial);
    if (node.contains("expect")) {
      spec.hasExpectations = true;
      spec.expect = readExpectations(node.at("expect"), childPointer(pointer, "expect"));
    }
    return spec;
  }

  fs::path path_;
  const LocatedJson &json_;
};

} // namespace

std::string Location::toString() const {
  std::string text = file;
  if (line)
    text += ":" + std::to_string(line);
  if (!pointer.empty())
    text += " (" + pointer + ")";
  return text;
}

std::string SuiteError::toString() const {
  std::string text = where.file;
  if (where.line)
    text += ":" + std::to_string(where.line);
  text += ": error: ";
  if (!where.pointer.empty())
    text += where.pointer + ": ";
  return text + message;
}

std::variant<Suite, SuiteError> loadSuite(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return SuiteError{{path.string(), 0, ""}, "cannot open the suite file: " + std::string(std::strerror(errno))};
  std::stringstream text;
  text << file.rdbuf();

  JsonSyntaxError syntaxError;
  std::optional<LocatedJson> json = parseLocatedJson(text.str(), syntaxError);
  if (!json)
    return SuiteError{{path.string(), syntaxError.line, ""},
                      "invalid JSON" +
                          (syntaxError.column ? " (column " + std::to_string(syntaxError.column) + ")" : std::string()) +
                          ": " + syntaxError.message};
  try {
    return SuiteReader(path, *json).read();
  } catch (const FormatError &error) {
    return SuiteError{{path.string(), json->lineOf(error.pointer), error.pointer}, error.message};
  }
}

} // namespace ebpfc::suites

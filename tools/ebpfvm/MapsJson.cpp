#include "tools/ebpfvm/MapsJson.h"

#include "suites/BytePattern.h"
#include "suites/LocatedJson.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace ebpfc::ebpfvm {

namespace {

using suites::childPointer;
using suites::Json;

// Parsing with every error located: "file:line: /pointer: message".
class Reader {
public:
  Reader(const std::string &path, const suites::LocatedJson &json) : path_(path), json_(json) {}

  [[noreturn]] void fail(const std::string &pointer, const std::string &message) const {
    throw std::runtime_error(fmt::format("{}:{}: {}: {}", path_, json_.lineOf(pointer), pointer.empty() ? "/" : pointer,
                                         message));
  }

  static std::string typeName(const Json &node) {
    if (node.is_object()) return "an object";
    if (node.is_array()) return "an array";
    if (node.is_string()) return "a string";
    if (node.is_boolean()) return "a boolean";
    if (node.is_number()) return "a number";
    return "null";
  }

  void expectKeys(const Json &node, const std::string &pointer, std::initializer_list<std::string_view> keys) const {
    if (!node.is_object())
      fail(pointer, "expected an object, found " + typeName(node));
    for (const auto &[key, value] : node.items())
      if (key != "comment" && std::find(keys.begin(), keys.end(), key) == keys.end())
        fail(childPointer(pointer, key), fmt::format("unknown key \"{}\"", key));
  }

  // A hex string, or an array of hex strings (lines) joined.
  runtime::Bytes hex(const Json &node, const std::string &pointer) const {
    std::string text;
    if (node.is_string()) {
      text = node.get<std::string>();
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) {
        if (!node[i].is_string())
          fail(childPointer(pointer, i), "expected a string of hex bytes, found " + typeName(node[i]));
        text += node[i].get<std::string>() + " ";
      }
    } else {
      fail(pointer, "expected a string of hex bytes (or an array of them), found " + typeName(node));
    }
    suites::BytePattern pattern;
    std::string why;
    if (!suites::parseHex(text, false, pattern, why))
      fail(pointer, why);
    return pattern.bytes;
  }

  uint64_t number(const Json &node, const std::string &pointer, uint64_t max) const {
    if (!node.is_number_unsigned() && !(node.is_number_integer() && node.get<int64_t>() >= 0))
      fail(pointer, "expected a non-negative integer, found " + typeName(node));
    const uint64_t value = node.get<uint64_t>();
    if (value > max)
      fail(pointer, fmt::format("{} is larger than {}", value, max));
    return value;
  }

  std::string string(const Json &node, const std::string &pointer) const {
    if (!node.is_string())
      fail(pointer, "expected a string, found " + typeName(node));
    return node.get<std::string>();
  }

private:
  const std::string &path_;
  const suites::LocatedJson &json_;
};

std::optional<suites::LocatedJson> parseJson(const std::string &path, const std::string &text, std::string &error) {
  suites::JsonSyntaxError syntax;
  std::optional<suites::LocatedJson> json = suites::parseLocatedJson(text, syntax);
  if (!json)
    error = fmt::format("{}:{}:{}: {}", path, syntax.line, syntax.column, syntax.message);
  return json;
}

// An IPv4 or IPv6 address; false when it is neither.
bool parseAddress(const std::string &text, runtime::FibRoute::Family &family, std::array<uint8_t, 16> &address) {
  address.fill(0);
  if (inet_pton(AF_INET, text.c_str(), address.data()) == 1) {
    family = runtime::FibRoute::Family::Ipv4;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), address.data()) == 1) {
    family = runtime::FibRoute::Family::Ipv6;
    return true;
  }
  return false;
}

std::array<uint8_t, 6> parseMac(const Reader &reader, const Json &node, const std::string &pointer) {
  const std::string text = reader.string(node, pointer);
  std::array<uint8_t, 6> mac{};
  unsigned parts[6];
  char extra;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &parts[0], &parts[1], &parts[2], &parts[3], &parts[4],
                  &parts[5], &extra) != 6)
    reader.fail(pointer, fmt::format("\"{}\" is not a MAC address like 02:00:00:00:00:01", text));
  for (int i = 0; i < 6; ++i)
    mac[size_t(i)] = uint8_t(parts[i]);
  return mac;
}

} // namespace

bool parseMapContents(const std::string &path, const std::string &text, std::vector<runtime::MapContents> &maps,
                      std::string &error) {
  std::optional<suites::LocatedJson> json = parseJson(path, text, error);
  if (!json)
    return false;
  const Reader reader(path, *json);
  try {
    const Json &root = json->root;
    if (!root.is_object())
      reader.fail("", "expected an object of map name -> entries, found " + Reader::typeName(root));
    for (const auto &[name, entries] : root.items()) {
      if (name == "comment")
        continue;
      const std::string mapPointer = childPointer("", name);
      if (!entries.is_array())
        reader.fail(mapPointer, "expected an array of {\"key\": ..., \"value\": ...} entries, found " +
                                    Reader::typeName(entries));
      runtime::MapContents contents{name, {}};
      std::set<std::string> keys; // as hex: GCC 12 warns falsely about sets of byte vectors
      for (size_t i = 0; i < entries.size(); ++i) {
        const std::string pointer = childPointer(mapPointer, i);
        const Json &node = entries[i];
        reader.expectKeys(node, pointer, {"key", "value", "cpus"});
        if (!node.contains("key"))
          reader.fail(pointer, "missing \"key\"");
        runtime::MapEntryData entry;
        entry.key = reader.hex(node.at("key"), childPointer(pointer, "key"));
        if (!keys.insert(suites::formatHexCompact(entry.key)).second)
          reader.fail(childPointer(pointer, "key"), "this key appears twice in map \"" + name + "\"");
        if (node.contains("value") == node.contains("cpus"))
          reader.fail(pointer, "give exactly one of \"value\" and \"cpus\" (per-CPU maps)");
        if (node.contains("value")) {
          entry.values.push_back(reader.hex(node.at("value"), childPointer(pointer, "value")));
        } else {
          const std::string cpusPointer = childPointer(pointer, "cpus");
          const Json &cpus = node.at("cpus");
          if (!cpus.is_object() || cpus.empty())
            reader.fail(cpusPointer, "expected an object of CPU number -> value, e.g. {\"0\": \"01000000\"}");
          std::map<unsigned, runtime::Bytes> byCpu;
          for (const auto &[cpu, value] : cpus.items()) {
            const std::string cpuPointer = childPointer(cpusPointer, cpu);
            if (cpu.empty() || cpu.size() > 4 || !std::all_of(cpu.begin(), cpu.end(), ::isdigit))
              reader.fail(cpuPointer, "\"" + cpu + "\" is not a CPU number");
            byCpu[unsigned(std::stoul(cpu))] = reader.hex(value, cpuPointer);
          }
          // CPUs not listed get zeros of the same size.
          const size_t size = byCpu.begin()->second.size();
          entry.values.assign(byCpu.rbegin()->first + 1, runtime::Bytes(size, 0));
          for (auto &[cpu, value] : byCpu)
            entry.values[cpu] = std::move(value);
        }
        contents.entries.push_back(std::move(entry));
      }
      maps.push_back(std::move(contents));
    }
  } catch (const std::runtime_error &failure) {
    error = failure.what();
    return false;
  }
  return true;
}

Json mapContentsJson(const std::vector<runtime::MapContents> &maps, const std::vector<runtime::MapSummary> &summaries) {
  Json root = Json::object();
  for (const runtime::MapContents &contents : maps) {
    bool perCpu = false;
    for (const runtime::MapSummary &summary : summaries)
      if (summary.name == contents.map)
        perCpu = summary.perCpu;
    Json entries = Json::array();
    for (const runtime::MapEntryData &entry : contents.entries) {
      Json node = Json::object();
      node["key"] = suites::formatHex(entry.key);
      if (perCpu) {
        Json cpus = Json::object();
        for (size_t cpu = 0; cpu < entry.values.size(); ++cpu)
          cpus[std::to_string(cpu)] = suites::formatHex(entry.values[cpu]);
        node["cpus"] = std::move(cpus);
      } else if (!entry.values.empty()) {
        node["value"] = suites::formatHex(entry.values[0]);
      }
      entries.push_back(std::move(node));
    }
    root[contents.map] = std::move(entries);
  }
  return root;
}

bool parseFibTable(const std::string &path, const std::string &text, runtime::FibTable &table, std::string &error) {
  std::optional<suites::LocatedJson> json = parseJson(path, text, error);
  if (!json)
    return false;
  const Reader reader(path, *json);
  using runtime::FibRoute;
  try {
    const Json &root = json->root;
    reader.expectKeys(root, "", {"routes"});
    if (!root.contains("routes") || !root.at("routes").is_array())
      reader.fail("/routes", "expected \"routes\": an array of routes");
    const Json &routes = root.at("routes");
    for (size_t i = 0; i < routes.size(); ++i) {
      const std::string pointer = childPointer("/routes", i);
      const Json &node = routes[i];
      reader.expectKeys(node, pointer,
                        {"prefix", "type", "ifindex", "smac", "dmac", "gateway", "source", "mtu", "metric"});
      FibRoute route;
      if (!node.contains("prefix"))
        reader.fail(pointer, "missing \"prefix\" (e.g. \"10.0.0.0/8\" or \"2001:db8::/32\")");
      const std::string prefixPointer = childPointer(pointer, "prefix");
      const std::string prefix = reader.string(node.at("prefix"), prefixPointer);
      const size_t slash = prefix.find('/');
      if (!parseAddress(prefix.substr(0, slash), route.family, route.prefix))
        reader.fail(prefixPointer, fmt::format("\"{}\" is not an IPv4 or IPv6 prefix", prefix));
      const unsigned maxLength = route.family == FibRoute::Family::Ipv4 ? 32 : 128;
      route.prefixLength = maxLength;
      if (slash != std::string::npos) {
        const std::string length = prefix.substr(slash + 1);
        if (length.empty() || length.size() > 3 || !std::all_of(length.begin(), length.end(), ::isdigit) ||
            std::stoul(length) > maxLength)
          reader.fail(prefixPointer, fmt::format("\"/{}\" is not a prefix length from 0 to {}", length, maxLength));
        route.prefixLength = unsigned(std::stoul(length));
      }
      if (node.contains("type")) {
        const std::string type = reader.string(node.at("type"), childPointer(pointer, "type"));
        if (type == "unicast")
          route.type = FibRoute::Type::Unicast;
        else if (type == "blackhole")
          route.type = FibRoute::Type::Blackhole;
        else if (type == "unreachable")
          route.type = FibRoute::Type::Unreachable;
        else if (type == "prohibit")
          route.type = FibRoute::Type::Prohibit;
        else
          reader.fail(childPointer(pointer, "type"),
                      fmt::format("unknown route type \"{}\" (unicast, blackhole, unreachable, prohibit)", type));
      }
      if (route.type == FibRoute::Type::Unicast && !node.contains("ifindex"))
        reader.fail(pointer, "a unicast route needs \"ifindex\" (the egress interface)");
      if (node.contains("ifindex"))
        route.ifindex = uint32_t(reader.number(node.at("ifindex"), childPointer(pointer, "ifindex"), UINT32_MAX));
      if (node.contains("smac"))
        route.sourceMac = parseMac(reader, node.at("smac"), childPointer(pointer, "smac"));
      if (node.contains("dmac"))
        route.destinationMac = parseMac(reader, node.at("dmac"), childPointer(pointer, "dmac"));
      for (const char *key : {"gateway", "source"}) {
        if (!node.contains(key))
          continue;
        const std::string keyPointer = childPointer(pointer, key);
        const std::string text = reader.string(node.at(key), keyPointer);
        FibRoute::Family family;
        std::array<uint8_t, 16> address;
        if (!parseAddress(text, family, address) || family != route.family)
          reader.fail(keyPointer, fmt::format("\"{}\" is not an {} address", text,
                                              route.family == FibRoute::Family::Ipv4 ? "IPv4" : "IPv6"));
        (std::string_view(key) == "gateway" ? route.gateway : route.preferredSource) = address;
      }
      if (node.contains("mtu"))
        route.mtu = uint32_t(reader.number(node.at("mtu"), childPointer(pointer, "mtu"), 65535));
      if (node.contains("metric"))
        route.metric = uint32_t(reader.number(node.at("metric"), childPointer(pointer, "metric"), UINT32_MAX));
      table.routes.push_back(route);
    }
  } catch (const std::runtime_error &failure) {
    error = failure.what();
    return false;
  }
  return true;
}

} // namespace ebpfc::ebpfvm

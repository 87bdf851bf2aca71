#include "suites/StfRunner.h"

#include "runtime/loader/Loader.h"
#include "suites/CaseCheck.h"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

namespace ebpfc::suites {
namespace {

using runtime::Btf;
using runtime::BtfKind;
using runtime::BtfType;

constexpr uint32_t kXdpAborted = 0, kXdpDrop = 1, kXdpPass = 2, kXdpTx = 3, kXdpRedirect = 4;
constexpr uint32_t kTcOk = 0, kTcPipe = 3, kTcRedirect = 7;

struct RunFailure {
  std::string message;
};

// One member of a struct or union, resolved through typedefs.
struct Field {
  std::string name;
  uint32_t offset = 0; // bytes from the start of the outer type
  uint32_t size = 0;
  uint32_t type = 0;   // with typedefs and modifiers skipped
  bool isArray = false;
};

std::vector<Field> membersOf(const Btf &btf, uint32_t typeId, uint32_t baseOffset) {
  std::vector<Field> fields;
  const BtfType &type = btf.type(btf.skipModifiersAndTypedefs(typeId));
  for (const runtime::BtfMember &member : type.members) {
    Field field;
    field.name = std::string(btf.name(member.nameOff));
    field.offset = baseOffset + member.bitOffset / 8;
    field.type = btf.skipModifiersAndTypedefs(member.type);
    std::string why;
    field.size = static_cast<uint32_t>(btf.resolveSize(field.type, why).value_or(0));
    field.isArray = btf.type(field.type).kind == BtfKind::Array;
    fields.push_back(std::move(field));
  }
  return fields;
}

// How the maps of one P4 table are laid out, from BTF.
struct TableLayout {
  std::string map;
  bool defaultOnly = false;      // no entries map: keyless, or const entries
  uint32_t keySize = 0, valueSize = 0;
  bool lpm = false;              // the key starts with a u32 prefixlen
  std::vector<Field> keyFields;  // field0, field1, ... (prefixlen excluded)
  uint32_t actionOffset = 0;
  struct Action {
    std::string name; // union member name: "pipe_drop", "_NoAction"
    uint32_t id = 0;
    std::vector<Field> parameters; // offsets within the value
  };
  std::vector<Action> actions;
};

std::string join(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

// P4 names as p4c's eBPF tests write them ("pipe.t", "pipe_t"): map names
// use '_' where the source has '.'.
std::string mapNameOf(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

class TableCatalog {
public:
  explicit TableCatalog(const runtime::ObjectImage &image) : image_(image) {}

  const TableLayout &table(const std::string &written) {
    std::string name = mapNameOf(written);
    if (auto it = tables_.find(name); it != tables_.end())
      return it->second;
    return tables_.emplace(name, build(name, written)).first->second;
  }

  const runtime::MapSpec *map(const std::string &name) const {
    int index = image_.findMap(name);
    return index < 0 ? nullptr : &image_.maps[size_t(index)];
  }

private:
  TableLayout build(const std::string &name, const std::string &written) const {
    const runtime::MapSpec *spec = map(name);
    // A keyless table (or one with const entries) has no entries map, only
    // its default action's.
    const runtime::MapSpec *defaultSpec = map(name + "_defaultAction");
    const bool defaultOnly = !spec && defaultSpec;
    if (defaultOnly)
      spec = defaultSpec;
    if (!spec) {
      std::vector<std::string> tables;
      const std::string suffix = "_defaultAction";
      for (const runtime::MapSpec &candidate : image_.maps) {
        if (!candidate.btfValueType || !isTableValue(candidate.btfValueType))
          continue;
        std::string table = candidate.name;
        if (table.ends_with(suffix))
          table.resize(table.size() - suffix.size());
        if (std::find(tables.begin(), tables.end(), table) == tables.end())
          tables.push_back(table);
      }
      throw RunFailure{"no table '" + written + "' in the program (tables: " +
                       (tables.empty() ? std::string("none") : join(tables)) +
                       "); name it <control>_<table> as the maps are named"};
    }
    if (!image_.btf || !spec->btfKeyType || !spec->btfValueType)
      throw RunFailure{"map '" + name + "' has no BTF key and value types; compile the program with BTF "
                       "(ebpfc always emits it) to install entries by field name"};
    TableLayout layout;
    layout.map = name;
    layout.defaultOnly = defaultOnly;
    layout.keySize = spec->keySize;
    layout.valueSize = spec->valueSize;
    if (defaultOnly)
      return finishValue(layout, name, *spec);
    const Btf &btf = *image_.btf;
    const uint32_t keyType = btf.skipModifiersAndTypedefs(spec->btfKeyType);
    if (btf.type(keyType).kind == BtfKind::Int) // array tables: the key is the index
      layout.keyFields.push_back({"field0", 0, spec->keySize, keyType, false});
    for (Field &field : membersOf(btf, spec->btfKeyType, 0)) {
      if (field.name == "prefixlen" && field.offset == 0) {
        layout.lpm = true;
        continue;
      }
      layout.keyFields.push_back(std::move(field));
    }
    return finishValue(layout, name, *spec);
  }

  TableLayout finishValue(TableLayout layout, const std::string &name, const runtime::MapSpec &valueMap) const {
    const Btf &btf = *image_.btf;
    const runtime::MapSpec *spec = &valueMap;
    if (!isTableValue(spec->btfValueType))
      throw RunFailure{"map '" + name + "' is not a P4 table: its value is not { action; union of actions } "
                       "(docs/p4.md, Control plane)"};
    for (const Field &field : membersOf(btf, spec->btfValueType, 0)) {
      if (field.name == "action") {
        layout.actionOffset = field.offset;
        continue;
      }
      uint32_t nextId = 1;
      for (const Field &member : membersOf(btf, field.type, field.offset)) {
        TableLayout::Action action{member.name, member.name == "_NoAction" ? 0 : nextId++,
                                   membersOf(btf, member.type, member.offset)};
        layout.actions.push_back(std::move(action));
      }
    }
    return layout;
  }

  bool isTableValue(uint32_t typeId) const {
    const Btf &btf = *image_.btf;
    const BtfType &type = btf.type(btf.skipModifiersAndTypedefs(typeId));
    if (type.kind != BtfKind::Struct || type.members.size() != 2)
      return false;
    return btf.name(type.members[0].nameOff) == "action" &&
           btf.type(btf.skipModifiersAndTypedefs(type.members[1].type)).kind == BtfKind::Union;
  }

  const runtime::ObjectImage &image_;
  std::map<std::string, TableLayout> tables_;
};

// Writes `number` into `size` bytes at `out` as the integer those bytes hold
// on a little-endian host — p4c's eBPF tests write every value that way,
// the network-order lpm field included (10.1.0.0/16 is 0x010a/16).
void store(Bytes &out, uint32_t offset, uint32_t size, const StfNumber &number, const std::string &what) {
  if (uint64_t(offset) + size > out.size())
    throw RunFailure{what + " lies outside the map's " + std::to_string(out.size()) +
                     " bytes in the object's BTF; the object's BTF does not match its map"};
  if (number.littleEndian.size() > size)
    throw RunFailure{what + " is " + std::to_string(size) + " byte" + (size == 1 ? "" : "s") + " wide; " +
                     number.text + " does not fit"};
  std::copy(number.littleEndian.begin(), number.littleEndian.end(), out.begin() + offset);
}

// "key.field0", "field0" and "pipe_t_key.field0" name member field0.
std::string keyMemberName(const std::string &written) {
  size_t dot = written.rfind('.');
  return dot == std::string::npos ? written : written.substr(dot + 1);
}

Bytes tableKey(const TableLayout &table, const StfTableAdd &add) {
  if (table.defaultOnly)
    throw RunFailure{"table '" + add.table + "' has no entries the control plane can add (it is keyless or its "
                     "entries are const); only setdefault applies"};
  Bytes key(table.keySize, 0);
  uint32_t prefixBits = 0;
  std::vector<bool> given(table.keyFields.size(), false);
  for (const StfKeyField &written : add.key) {
    std::string member = keyMemberName(written.name);
    auto it = std::find_if(table.keyFields.begin(), table.keyFields.end(),
                           [&](const Field &field) { return field.name == member; });
    if (it == table.keyFields.end()) {
      std::vector<std::string> names;
      for (const Field &field : table.keyFields)
        names.push_back("key." + field.name);
      throw RunFailure{"table '" + table.map + "' has no key field '" + written.name + "' (its fields: " +
                       (names.empty() ? std::string("none") : join(names)) + ")"};
    }
    size_t index = size_t(it - table.keyFields.begin());
    if (given[index])
      throw RunFailure{"key field '" + written.name + "' given twice"};
    given[index] = true;
    const bool lpmField = table.lpm && it->isArray;
    store(key, it->offset, it->size, written.value, "key field '" + written.name + "'");
    if (written.prefixLength) {
      if (!lpmField)
        throw RunFailure{"key field '" + written.name + "' is not an lpm field; only the lpm field takes /PREFIX"};
      if (*written.prefixLength > it->size * 8)
        throw RunFailure{"prefix /" + std::to_string(*written.prefixLength) + " is longer than key field '" +
                         written.name + "' (" + std::to_string(it->size * 8) + " bits)"};
    }
    if (lpmField)
      prefixBits = (it->offset - 4) * 8 + (written.prefixLength ? *written.prefixLength : it->size * 8);
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i])
      throw RunFailure{"key field 'key." + table.keyFields[i].name + "' of table '" + table.map +
                       "' is missing"};
  if (table.lpm) {
    if (prefixBits == 0)
      prefixBits = (table.keySize - 4) * 8;
    for (unsigned i = 0; i < 4; ++i)
      key[i] = uint8_t(prefixBits >> (8 * i));
  }
  return key;
}

Bytes tableValue(const TableLayout &table, const StfActionCall &call) {
  std::string name = mapNameOf(call.name);
  if (name == "NoAction" || name == "_NoAction" || name == ".NoAction")
    name = "_NoAction";
  auto action = std::find_if(table.actions.begin(), table.actions.end(),
                             [&](const TableLayout::Action &a) { return a.name == name; });
  if (action == table.actions.end()) {
    std::vector<std::string> names;
    for (const TableLayout::Action &a : table.actions)
      names.push_back(a.name);
    throw RunFailure{"table '" + table.map + "' has no action '" + call.name + "' (its actions: " + join(names) +
                     ")"};
  }
  Bytes value(table.valueSize, 0);
  for (unsigned i = 0; i < 4; ++i)
    value[table.actionOffset + i] = uint8_t(action->id >> (8 * i));
  // Parameters left out are zero, as p4c's STF runners have them.
  for (const StfActionArgument &argument : call.arguments) {
    auto it = std::find_if(action->parameters.begin(), action->parameters.end(),
                           [&](const Field &field) { return field.name == argument.name; });
    if (it == action->parameters.end()) {
      std::vector<std::string> names;
      for (const Field &field : action->parameters)
        names.push_back(field.name);
      throw RunFailure{"action '" + call.name + "' has no parameter '" + argument.name + "' (its parameters: " +
                       (names.empty() ? std::string("none") : join(names)) + ")"};
    }
    store(value, it->offset, it->size, argument.value, "parameter '" + argument.name + "'");
  }
  return value;
}

template <typename T> T unwrap(runtime::Expected<T> result) {
  if (!result)
    throw RunFailure{result.error().message};
  return std::move(*result);
}

void check(runtime::Expected<void> result) {
  if (!result)
    throw RunFailure{result.error().message};
}

// Where the packet leaves, or nullopt when it is dropped.
std::optional<uint32_t> outputPort(runtime::ContextKind kind, const runtime::PacketResult &result,
                                   uint32_t inputPort) {
  auto redirected = [&]() -> uint32_t {
    if (!result.observesRedirect || !result.redirect)
      return kUnknownPort;
    if (result.redirect->target)
      return result.redirect->target->kind == runtime::RedirectTarget::Kind::Device ? result.redirect->target->id
                                                                                  : kUnknownPort;
    return result.redirect->ifindex;
  };
  if (kind == runtime::ContextKind::Xdp) {
    switch (result.returnValue) {
    case kXdpPass:
    case kXdpTx: return inputPort;
    case kXdpRedirect: return redirected();
    case kXdpAborted:
    case kXdpDrop:
    default: return std::nullopt;
    }
  }
  switch (result.returnValue) {
  case kTcOk:
  case kTcPipe: return inputPort;
  case kTcRedirect: return redirected();
  default: return std::nullopt;
  }
}

} // namespace

std::variant<StfRun, StfRunError> runStf(const runtime::PacketEngine &engine, const std::string &object,
                                         const std::string &program, const StfScript &script) {
  unsigned line = 0;
  try {
    runtime::ObjectImage image = unwrap(runtime::loadObjectFile(object));
    TableCatalog catalog(image);
    std::unique_ptr<runtime::PacketObject> instance = unwrap(engine.load(object));
    runtime::ContextKind kind = runtime::ContextKind::Xdp;
    bool found = false;
    for (const runtime::ProgramSummary &summary : instance->programs())
      if (program.empty() || summary.name == program || summary.section == program) {
        if (auto k = runtime::contextKindFor(summary.type))
          kind = *k;
        found = true;
        break;
      }
    if (!found)
      throw RunFailure{"the object has no program '" + program + "'"};

    StfRun run;
    for (const StfStatement &statement : script.statements) {
      line = lineOf(statement);
      if (const auto *add = std::get_if<StfTableAdd>(&statement)) {
        const TableLayout &table = catalog.table(add->table);
        check(instance->writeMap(table.map, {tableKey(table, *add), {tableValue(table, add->action)}}));
      } else if (const auto *setDefault = std::get_if<StfSetDefault>(&statement)) {
        const TableLayout &table = catalog.table(setDefault->table);
        const std::string defaultMap = table.map + "_defaultAction";
        if (!catalog.map(defaultMap))
          throw RunFailure{"table '" + setDefault->table + "' has no default-action map '" + defaultMap +
                           "': its default_action is const"};
        check(instance->writeMap(defaultMap, {Bytes(4, 0), {tableValue(table, setDefault->action)}}));
      } else if (const auto *packet = std::get_if<StfPacket>(&statement)) {
        runtime::PacketInput input;
        input.packet = packet->data;
        if (packet->port != 0)
          input.context.emplace_back("ingress_ifindex", packet->port);
        runtime::PacketResult result = unwrap(instance->run(program, input));
        if (result.fault)
          throw RunFailure{"the program faulted on this packet: " + result.fault->describe()};
        run.returnValues.push_back(result.returnValue);
        if (std::optional<uint32_t> port = outputPort(kind, result, packet->port))
          run.outputs.push_back({packet->line, *port, result.packet});
      }
    }
    return run;
  } catch (const RunFailure &failure) {
    return StfRunError{line, failure.message};
  }
}

std::vector<StfMismatch> checkStf(const StfScript &script, const StfRun &run) {
  std::vector<StfMismatch> failures;
  // Expectations per port, in file order.
  std::map<uint32_t, std::vector<const StfExpect *>> expected;
  std::map<uint32_t, bool> unchecked;
  for (const StfStatement &statement : script.statements)
    if (const auto *expect = std::get_if<StfExpect>(&statement)) {
      if (expect->data)
        expected[expect->port].push_back(expect);
      else
        unchecked[expect->port] = true;
    }
  std::map<uint32_t, size_t> next; // per port: the next expectation to match
  auto matches = [](const StfExpect &expect, const Bytes &data) {
    if (expect.exactLength && data.size() != expect.data->bytes.size())
      return false;
    if (data.size() < expect.data->bytes.size())
      return false;
    Bytes prefix(data.begin(), data.begin() + long(expect.data->bytes.size()));
    return expect.data->matches(prefix);
  };
  for (const StfOutput &output : run.outputs) {
    uint32_t port = output.port;
    if (port == kUnknownPort) {
      // The engine cannot say where a redirected packet went: it takes the
      // first port whose next expectation it matches.
      for (auto &[candidate, list] : expected)
        if (next[candidate] < list.size() && matches(*list[next[candidate]], output.data)) {
          port = candidate;
          break;
        }
      if (port == kUnknownPort) {
        failures.push_back({output.packetLine,
                            "the packet was redirected (the engine cannot tell where) and matches no expected "
                            "packet: " + formatHex(output.data),
                            std::nullopt, output.data});
        continue;
      }
    }
    std::vector<const StfExpect *> &list = expected[port];
    size_t &index = next[port];
    if (index >= list.size()) {
      if (!unchecked[port])
        failures.push_back({output.packetLine,
                            "unexpected packet on port " + std::to_string(port) + ": " + formatHex(output.data),
                            std::nullopt, output.data});
      continue;
    }
    const StfExpect &expect = *list[index++];
    if (!matches(expect, output.data)) {
      std::string why;
      if (expect.exactLength && output.data.size() != expect.data->bytes.size())
        why = "expected exactly " + std::to_string(expect.data->bytes.size()) + " bytes ($), got " +
              std::to_string(output.data.size()) + ": ";
      else if (output.data.size() < expect.data->bytes.size())
        why = "expected at least " + std::to_string(expect.data->bytes.size()) + " bytes, got " +
              std::to_string(output.data.size()) + ": ";
      Bytes prefix(output.data.begin(),
                   output.data.begin() + long(std::min(output.data.size(), expect.data->bytes.size())));
      failures.push_back({expect.line,
                          "packet on port " + std::to_string(port) + " (from line " +
                              std::to_string(output.packetLine) + ") differs: " + why +
                              describePacketMismatch(*expect.data, expect.exactLength ? output.data : prefix),
                          expect.data, output.data, expect.exactLength});
    }
  }
  for (const auto &[port, list] : expected)
    for (size_t i = next[port]; i < list.size(); ++i)
      failures.push_back({list[i]->line,
                          "expected a packet on port " + std::to_string(port) + ", none came: " +
                              list[i]->data->toHex(),
                          std::nullopt, {}});
  std::stable_sort(failures.begin(), failures.end(),
                   [](const StfMismatch &a, const StfMismatch &b) { return a.line < b.line; });
  return failures;
}

std::string rewriteStfExpectations(const std::string &text, const StfScript &script, const StfRun &run) {
  std::map<unsigned, const StfPacket *> packets;
  std::map<unsigned, bool> expectLines;
  for (const StfStatement &statement : script.statements) {
    if (const auto *packet = std::get_if<StfPacket>(&statement))
      packets[packet->line] = packet;
    else if (std::holds_alternative<StfExpect>(statement))
      expectLines[lineOf(statement)] = true;
  }
  std::map<unsigned, std::vector<const StfOutput *>> outputsOf;
  for (const StfOutput &output : run.outputs)
    outputsOf[output.packetLine].push_back(&output);

  auto layout = [](const Bytes &data, const std::vector<size_t> &groupDigits) {
    std::string hex = formatHexCompact(data), out;
    size_t position = 0;
    for (size_t digits : groupDigits) {
      if (position >= hex.size())
        break;
      out += (out.empty() ? "" : " ") + hex.substr(position, digits);
      position += digits;
    }
    if (position < hex.size())
      out += (out.empty() ? "" : " ") + hex.substr(position);
    return out;
  };

  std::istringstream input(text);
  std::string result, lineText;
  unsigned line = 0;
  while (std::getline(input, lineText)) {
    ++line;
    if (expectLines.count(line))
      continue;
    result += lineText + "\n";
    auto packet = packets.find(line);
    if (packet == packets.end())
      continue;
    for (const StfOutput *output : outputsOf[line])
      result += "expect " + (output->port == kUnknownPort ? std::to_string(packet->second->port)
                                                           : std::to_string(output->port)) +
                " " + layout(output->data, packet->second->groupDigits) + " $\n";
  }
  return result;
}

} // namespace ebpfc::suites

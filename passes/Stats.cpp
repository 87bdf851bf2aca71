#include "passes/Stats.h"

#include "ir/MapType.h"

#include <algorithm>

namespace ebpfc::passes {

namespace {

struct MapRow {
  std::string name;
  std::string type;
  uint64_t keySize = 0;
  uint64_t valueSize = 0;
  uint64_t maxEntries = 0;
};

std::string mapTypeName(uint32_t type) {
  const ir::MapTypeInfo *info = ir::findMapType(type);
  return info ? std::string(info->name) : std::to_string(type);
}

// The maps libbpf creates for the object: the BTF-defined ones, then one
// array per global-data section.
std::vector<MapRow> mapRows(const ir::Module &module, const backend::ObjectAnalysis &analysis) {
  std::vector<MapRow> rows;
  for (const ir::MapDef &map : module.maps)
    rows.push_back({map.name, mapTypeName(map.type), map.keySize, map.valueSize, map.maxEntries});
  for (const backend::DataSection &section : analysis.dataSections)
    rows.push_back({section.name, "array", 4, section.size, 1});
  return rows;
}

std::string chainText(const backend::ObjectAnalysis &analysis, const std::vector<size_t> &frames) {
  std::string text;
  for (size_t f : frames)
    text += (text.empty() ? "" : " -> ") + analysis.functions[f].name;
  return text;
}

// A table with a header row: text columns left-aligned, number columns
// right-aligned, two spaces between columns, no trailing blanks.
class Table {
public:
  Table(std::vector<std::string> header, std::vector<bool> numeric)
      : numeric_(std::move(numeric)) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string str() const {
    std::vector<size_t> widths(numeric_.size());
    for (const auto &row : rows_)
      for (size_t c = 0; c < row.size(); ++c)
        widths[c] = std::max(widths[c], row[c].size());
    std::string out;
    for (const auto &row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        if (c)
          line += "  ";
        std::string pad(widths[c] - row[c].size(), ' ');
        line += numeric_[c] ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : "");
      }
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      out += line + "\n";
    }
    return out;
  }

private:
  std::vector<bool> numeric_;
  std::vector<std::vector<std::string>> rows_;
};

std::string formatText(const ir::Module &module, const backend::ObjectAnalysis &analysis,
                       const PipelineOptions &options) {
  std::string out = "stats for " + module.sourceFile() + " (Linux " + module.target.kernel.str() + ": at most " +
                    std::to_string(module.target.insnLimit) + " instructions and " +
                    std::to_string(options.stackLimit) + " bytes of stack per program)\n\n";
  Table programs({"program", "section", "type", "instructions", "stack", "deepest stack chain"},
                 {false, false, false, true, true, false});
  for (const ir::Program &program : module.programs) {
    std::optional<size_t> entry = analysis.find(program.name);
    if (!entry)
      continue;
    backend::StackChain chain = analysis.deepestStackChain(*entry);
    programs.add({program.name, program.section, std::string(ir::programTypeName(program.type)),
                  std::to_string(analysis.programSlots(*entry)), std::to_string(chain.depth),
                  chainText(analysis, chain.frames)});
  }
  out += programs.str() + "\n";

  Table functions({"function", "section", "instructions", "stack"}, {false, false, true, true});
  for (const backend::ObjectFunction &function : analysis.functions)
    functions.add({function.name, function.section, std::to_string(function.slotCount),
                   std::to_string(function.stackDepth)});
  out += functions.str();

  std::vector<MapRow> maps = mapRows(module, analysis);
  if (!maps.empty()) {
    Table table({"map", "type", "key", "value", "max_entries"}, {false, false, true, true, true});
    for (const MapRow &map : maps)
      table.add({map.name, map.type, std::to_string(map.keySize), std::to_string(map.valueSize),
                 std::to_string(map.maxEntries)});
    out += "\n" + table.str();
  }
  return out;
}

std::string jsonList(const std::vector<std::string> &items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::string formatJson(const ir::Module &module, const backend::ObjectAnalysis &analysis,
                       const PipelineOptions &options) {
  auto names = [&](const std::vector<size_t> &indices) {
    std::vector<std::string> quoted;
    for (size_t f : indices)
      quoted.push_back(ir::jsonQuote(analysis.functions[f].name));
    return jsonList(quoted);
  };
  std::vector<std::string> programs;
  for (const ir::Program &program : module.programs) {
    std::optional<size_t> entry = analysis.find(program.name);
    if (!entry)
      continue;
    backend::StackChain chain = analysis.deepestStackChain(*entry);
    programs.push_back("{\"name\": " + ir::jsonQuote(program.name) + ", \"section\": " +
                       ir::jsonQuote(program.section) + ", \"type\": " +
                       ir::jsonQuote(std::string(ir::programTypeName(program.type))) +
                       ", \"instructions\": " + std::to_string(analysis.programSlots(*entry)) +
                       ", \"stack\": " + std::to_string(chain.depth) + ", \"stack_chain\": " + names(chain.frames) +
                       ", \"functions\": " + names(analysis.reachableFrom(*entry)) + "}");
  }
  std::vector<std::string> functions;
  for (const backend::ObjectFunction &function : analysis.functions)
    functions.push_back("{\"name\": " + ir::jsonQuote(function.name) + ", \"section\": " +
                        ir::jsonQuote(function.section) + ", \"instructions\": " +
                        std::to_string(function.slotCount) + ", \"stack\": " + std::to_string(function.stackDepth) +
                        "}");
  std::vector<std::string> maps;
  for (const MapRow &map : mapRows(module, analysis))
    maps.push_back("{\"name\": " + ir::jsonQuote(map.name) + ", \"type\": " + ir::jsonQuote(map.type) +
                   ", \"key_size\": " + std::to_string(map.keySize) + ", \"value_size\": " +
                   std::to_string(map.valueSize) + ", \"max_entries\": " + std::to_string(map.maxEntries) + "}");
  return "{\"source\": " + ir::jsonQuote(module.sourceFile()) + ", \"target_kernel\": " +
         ir::jsonQuote(module.target.kernel.str()) + ", \"limits\": {\"instructions\": " +
         std::to_string(module.target.insnLimit) + ", \"stack\": " + std::to_string(options.stackLimit) +
         "}, \"programs\": " + jsonList(programs) + ", \"functions\": " + jsonList(functions) +
         ", \"maps\": " + jsonList(maps) + "}\n";
}

} // namespace

std::string formatStats(const ir::Module &module, const backend::ObjectAnalysis &analysis,
                        const PipelineOptions &options, StatsFormat format) {
  return format == StatsFormat::Json ? formatJson(module, analysis, options) : formatText(module, analysis, options);
}

bool Stats::run(const ir::Module &module, const std::string &object, PassContext &context) {
  if (context.options.stats == StatsFormat::None)
    return true;
  std::string error;
  std::optional<backend::ObjectAnalysis> analysis = backend::analyzeObject(object, error);
  if (!analysis) {
    context.diags.error("cannot analyse the generated object: " + error);
    return false;
  }
  std::string text = formatStats(module, *analysis, context.options, context.options.stats);
  std::fputs(text.c_str(), context.statsStream);
  std::fflush(context.statsStream);
  return true;
}

} // namespace ebpfc::passes

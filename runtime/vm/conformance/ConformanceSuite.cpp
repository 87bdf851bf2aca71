#include "runtime/vm/conformance/ConformanceSuite.h"

#include "runtime/asm/Assembler.h"
#include "runtime/asm/Disassembler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ebpfc::runtime {

namespace {

std::string_view trim(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string_view::npos)
    return {};
  const size_t end = text.find_last_not_of(" \t\r");
  return text.substr(start, end - start + 1);
}

std::string_view withoutComment(std::string_view line) {
  const size_t hash = line.find('#');
  return hash == std::string_view::npos ? line : line.substr(0, hash);
}

bool parseHex(std::string_view text, uint64_t &value) {
  if (text.starts_with("0x") || text.starts_with("0X"))
    text.remove_prefix(2);
  if (text.empty() || text.size() > 16)
    return false;
  const std::string digits(text);
  char *end = nullptr;
  value = std::strtoull(digits.c_str(), &end, 16);
  return *end == '\0';
}

// Splits on whitespace.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> result;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
      ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      ++i;
    if (i > start)
      result.push_back(line.substr(start, i - start));
  }
  return result;
}

uint64_t integerSquareRoot(uint64_t x) {
  uint64_t root = uint64_t(std::sqrt(double(x)));
  // The double estimate can be off by one either way for large x.
  while (root > 0 && (root > UINT32_MAX || root * root > x))
    --root;
  while (root + 1 <= UINT32_MAX && (root + 1) * (root + 1) <= x)
    ++root;
  return root;
}

// A NUL-terminated string of program memory, byte by byte through the checks.
std::optional<std::string> readString(HelperCall &call, uint64_t address) {
  constexpr size_t kLimit = 1 << 20;
  std::string text;
  for (size_t i = 0; i < kLimit; ++i) {
    const auto byte = call.readableMemory(address + i, 1);
    if (!byte)
      return std::nullopt;
    if ((*byte)[0] == 0)
      return text;
    text += char((*byte)[0]);
  }
  call.fault("string is not terminated within 1 MiB");
  return std::nullopt;
}

} // namespace

bool parseConformanceVector(std::string_view text, const std::string &path, ConformanceVector &out, std::string &error) {
  out = ConformanceVector{};
  out.path = path;
  std::string section;
  std::vector<Insn> raw;
  bool sawRaw = false;
  unsigned lineNumber = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++lineNumber;
    auto fail = [&](const std::string &message) {
      error = fmt::format("{}:{}: {}", path, lineNumber, message);
      return false;
    };

    if (line.starts_with("-- ")) {
      section = std::string(trim(line.substr(3)));
      if (section == "asm")
        out.asmFirstLine = lineNumber + 1;
      if (section == "raw")
        sawRaw = true;
      if (end == text.size())
        break;
      continue;
    }
    if (section == "asm") {
      out.asmText.append(line);
      out.asmText += '\n';
    } else if (section == "raw") {
      for (std::string_view word : words(withoutComment(line))) {
        uint64_t value;
        if (!parseHex(word, value))
          return fail("invalid instruction word '" + std::string(word) + "'");
        raw.push_back(insnFromWord(value));
      }
    } else if (section == "mem") {
      for (std::string_view word : words(withoutComment(line))) {
        uint64_t value;
        if (word.size() != 2 || !parseHex(word, value))
          return fail("invalid memory byte '" + std::string(word) + "'");
        out.memory.push_back(uint8_t(value));
      }
    } else if (section == "result") {
      for (std::string_view word : words(withoutComment(line))) {
        uint64_t value;
        if (out.expectedResult || !parseHex(word, value))
          return fail("invalid result '" + std::string(word) + "'");
        out.expectedResult = value;
      }
    }
    if (end == text.size())
      break;
  }
  if (sawRaw)
    out.raw = std::move(raw);
  if (trim(out.asmText).empty() && !out.raw) {
    error = path + ": no '-- asm' or '-- raw' section";
    return false;
  }
  if (!out.expectedResult) {
    error = path + ": no '-- result' section";
    return false;
  }
  return true;
}

ConformanceEnvironment::ConformanceEnvironment() {
  helpers_.push_back({0, "gather_bytes", [](HelperCall &call) {
                        uint64_t packed = 0;
                        for (unsigned i = 1; i <= 5; ++i)
                          packed = packed << 8 | (call.arg(i) & 0xff);
                        return packed;
                      }});
  helpers_.push_back({1, "memfrob", [](HelperCall &call) -> uint64_t {
                        const auto bytes = call.writableMemory(call.arg(1), call.arg(2));
                        if (!bytes)
                          return 0;
                        for (uint8_t &byte : *bytes)
                          byte ^= 42;
                        return 0;
                      }});
  helpers_.push_back({2, "no_op", [](HelperCall &) -> uint64_t { return 0; }});
  helpers_.push_back({3, "sqrti", [](HelperCall &call) { return integerSquareRoot(call.arg(1)); }});
  helpers_.push_back({4, "strcmp", [](HelperCall &call) -> uint64_t {
                        const std::optional<std::string> a = readString(call, call.arg(1));
                        if (!a)
                          return 0;
                        const std::optional<std::string> b = readString(call, call.arg(2));
                        if (!b)
                          return 0;
                        // The C library's sign convention, as a 64-bit value.
                        const int order = a->compare(*b);
                        return uint64_t(int64_t(order < 0 ? -1 : order > 0 ? 1 : 0));
                      }});
  helpers_.push_back({5, "unwind", [](HelperCall &call) {
                        // unwind(0) stops the program at once with r0 = 0.
                        if (call.arg(1) == 0)
                          call.stop(0);
                        return call.arg(1);
                      }});
}

const Helper *ConformanceEnvironment::findHelper(uint32_t id) const {
  for (const Helper &helper : helpers_)
    if (helper.id == id)
      return &helper;
  return nullptr;
}

ConformanceOutcome runConformanceVector(const ConformanceVector &vector, const Engine &engine) {
  ConformanceOutcome outcome;
  outcome.path = vector.path;
  outcome.expected = vector.expectedResult;

  ProgramImage image;
  image.name = std::filesystem::path(vector.path).stem().string();
  if (!std::string_view(trim(vector.asmText)).empty()) {
    AssembleOptions options;
    options.dialect = AsmDialect::Conformance;
    options.fileName = vector.path;
    options.firstLine = vector.asmFirstLine;
    const AssembledProgram assembled = assemble(vector.asmText, options);
    if (!assembled.ok()) {
      outcome.error = assembled.errorText();
      return outcome;
    }
    image.insns = assembled.insns;
    // The .data file's lines become the program's line info, for fault reports.
    std::vector<std::string_view> asmLines;
    for (size_t start = 0; start < vector.asmText.size();) {
      size_t end = vector.asmText.find('\n', start);
      if (end == std::string::npos)
        end = vector.asmText.size();
      asmLines.push_back(std::string_view(vector.asmText).substr(start, end - start));
      start = end + 1;
    }
    for (uint32_t slot = 0; slot < assembled.sourceLines.size(); ++slot) {
      const unsigned line = assembled.sourceLines[slot];
      if (!image.lines.empty() && image.lines.back().line == line)
        continue;
      const size_t index = line - vector.asmFirstLine;
      image.lines.push_back({slot, vector.path, line, 0,
                             index < asmLines.size() ? std::string(trim(asmLines[index])) : std::string()});
    }
    if (vector.raw) {
      // Both forms given: they must agree, or the assembler is wrong.
      size_t slot = 0;
      while (slot < image.insns.size() && slot < vector.raw->size() &&
             insnWord(image.insns[slot]) == insnWord((*vector.raw)[slot]))
        ++slot;
      if (slot != image.insns.size() || slot != vector.raw->size()) {
        outcome.error = fmt::format("the assembled program differs from the '-- raw' section at slot {}", slot);
        return outcome;
      }
    }
  } else {
    image.insns = *vector.raw;
  }

  ConformanceEnvironment environment;
  std::string error;
  const std::shared_ptr<const LoadedProgram> program = engine.load(image, environment, error);
  if (!program) {
    outcome.error = "load error: " + error;
    return outcome;
  }

  std::vector<uint8_t> memory = vector.memory; // the program may write it
  const Region regions[] = {hostRegion(memory.data(), memory.size(), RegionKind::Memory, "input memory")};
  RunInput input;
  if (!memory.empty()) {
    input.args[0] = reinterpret_cast<uint64_t>(memory.data());
    input.args[1] = memory.size();
    input.regions = regions;
  }
  RunResult result = engine.run(*program, input);
  if (result.faulted()) {
    outcome.error = result.fault->describe();
    return outcome;
  }
  outcome.actual = result.returnValue;
  outcome.passed = outcome.actual == outcome.expected;
  return outcome;
}

ConformanceOutcome runConformanceFile(const std::filesystem::path &file, const Engine &engine) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ConformanceOutcome outcome;
    outcome.path = file.string();
    outcome.error = "cannot read the file";
    return outcome;
  }
  std::ostringstream text;
  text << in.rdbuf();
  ConformanceVector vector;
  std::string error;
  if (!parseConformanceVector(text.str(), file.string(), vector, error)) {
    ConformanceOutcome outcome;
    outcome.path = file.string();
    outcome.error = error;
    return outcome;
  }
  return runConformanceVector(vector, engine);
}

bool collectConformanceFiles(std::span<const std::string> paths, std::vector<std::filesystem::path> &files,
                             std::string &error) {
  namespace fs = std::filesystem;
  for (const std::string &path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (const fs::directory_entry &entry : fs::directory_iterator(path, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".data")
          found.push_back(entry.path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files.emplace_back(path);
    } else {
      error = path + ": no such file or directory";
      return false;
    }
  }
  return true;
}

} // namespace ebpfc::runtime

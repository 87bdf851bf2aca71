// Robustness: the P4 frontend turns any input into diagnostics or a module,
// never a crash. Mutations of the examples and of the diagnostics corpus
// (tokens deleted, duplicated, swapped, replaced; bytes flipped; files cut
// short) go through the whole frontend in-process. The number of mutants
// per file is EBPFC_P4_FUZZ_MUTANTS (default 40), the seed EBPFC_P4_FUZZ_SEED.
#include "frontend/p4/P4Frontend.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;
using namespace ebpfc;

namespace {

unsigned fromEnvironment(const char *name, unsigned fallback) {
  const char *value = std::getenv(name);
  return value ? static_cast<unsigned>(std::strtoul(value, nullptr, 10)) : fallback;
}

std::vector<std::string> splitTokens(const std::string &text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (!current.empty() && (!word || !(std::isalnum(static_cast<unsigned char>(current.back())) ||
                                         current.back() == '_'))) {
      tokens.push_back(current);
      current.clear();
    }
    current += c;
  }
  if (!current.empty())
    tokens.push_back(current);
  return tokens;
}

std::string mutate(const std::string &text, std::mt19937 &random) {
  std::vector<std::string> tokens = splitTokens(text);
  if (tokens.empty())
    return text;
  static const char *replacements[] = {"{", "}", "(", ")", "<", ">", ";", ",", ".", "&&&", "..", "@", "#",
                                       "bit<8>", "header", "extract", "apply", "state", "select", "table",
                                       "0x", "8w", "-1", "_", "default", "\"", "/*", "\n"};
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random); };
  unsigned edits = 1 + static_cast<unsigned>(pick(4));
  for (unsigned e = 0; e < edits && !tokens.empty(); ++e) {
    size_t i = pick(tokens.size());
    switch (pick(6)) {
    case 0: tokens.erase(tokens.begin() + static_cast<long>(i)); break;
    case 1: tokens.insert(tokens.begin() + static_cast<long>(i), tokens[pick(tokens.size())]); break;
    case 2: std::swap(tokens[i], tokens[pick(tokens.size())]); break;
    case 3: tokens[i] = replacements[pick(std::size(replacements))]; break;
    case 4:
      if (!tokens[i].empty())
        tokens[i][pick(tokens[i].size())] = static_cast<char>(pick(95) + 32);
      break;
    default: tokens.resize(i + 1); break;
    }
  }
  std::string out;
  for (const std::string &t : tokens)
    out += t;
  return out;
}

std::vector<fs::path> seeds() {
  std::vector<fs::path> files;
  for (const char *dir : {P4_EXAMPLES_DIR, P4_ERRORS_DIR})
    for (const auto &entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".p4")
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(P4ParserFuzz, MutatedProgramsNeverCrash) {
  unsigned mutants = fromEnvironment("EBPFC_P4_FUZZ_MUTANTS", 40);
  std::mt19937 random(fromEnvironment("EBPFC_P4_FUZZ_SEED", 1));
  fs::path directory = fs::temp_directory_path() / ("ebpfc-p4-fuzz-" + std::to_string(::getpid()));
  fs::create_directories(directory);
  size_t accepted = 0, rejected = 0;
  for (const fs::path &seed : seeds()) {
    std::ifstream in(seed);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string original = buffer.str();
    for (unsigned n = 0; n < mutants; ++n) {
      std::string mutant = mutate(original, random);
      fs::path file = directory / seed.filename();
      std::ofstream(file) << mutant;
      SCOPED_TRACE(seed.filename().string() + " mutant " + std::to_string(n) + ":\n" + mutant);
      // JSON diagnostics (clang's too) go to a file, to be read back.
      FILE *report = std::tmpfile();
      bool compiled = false, errors = false;
      {
        ir::DiagnosticEngine diags(ir::DiagnosticFormat::Json, report);
        p4::P4FrontendOptions options;
        options.inputFile = file.string();
        options.clangArgs = {"-I" + std::string(P4_EXAMPLES_DIR)};
        p4::P4FrontendResult result = p4::compileP4(options, diags);
        compiled = result.module != nullptr;
        errors = diags.hasErrors();
      }
      std::rewind(report);
      std::string diagnostics;
      for (int c; (c = std::fgetc(report)) != EOF;)
        diagnostics += static_cast<char>(c);
      std::fclose(report);
      // A module and errors never come together, and no input is an
      // internal error of the frontend.
      EXPECT_FALSE(compiled && errors);
      EXPECT_EQ(diagnostics.find("internal error"), std::string::npos) << diagnostics;
      (compiled ? accepted : rejected)++;
    }
  }
  fs::remove_all(directory);
  std::cout << "mutants accepted: " << accepted << ", rejected with diagnostics: " << rejected << "\n";
  EXPECT_GT(rejected, 0u);
}

} // namespace

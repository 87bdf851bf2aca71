// The P4 diagnostics corpus: every program under errors/ must fail to
// compile with exactly the diagnostics its comments list, in order.
//
// Directives, in // comments (after the code, so they do not move it):
//   ERROR: <line>:<col>: <message>    an expected error (0:0: about the file)
//   WARNING: <line>:<col>: <message>
//   NOTE: <text>                      a note of the preceding ERROR/WARNING
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

using namespace ebpfc::testing;
namespace fs = std::filesystem;

namespace {

struct Diagnostic {
  std::string severity;
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
  std::vector<std::string> notes;

  std::string toString() const {
    std::string text = severity + " " + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
    for (const std::string &note : notes)
      text += "\n  note: " + note;
    return text;
  }
};

std::vector<Diagnostic> expectedDiagnostics(const std::string &path) {
  std::vector<Diagnostic> expected;
  std::ifstream in(path);
  static const std::regex directive(R"(^//\s*(ERROR|WARNING|NOTE):\s*(.*)$)");
  static const std::regex located(R"((\d+):(\d+): (.*))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, directive))
      continue;
    if (m[1] == "NOTE") {
      if (!expected.empty())
        expected.back().notes.push_back(m[2]);
      continue;
    }
    std::string rest = m[2];
    std::smatch l;
    if (!std::regex_match(rest, l, located)) {
      ADD_FAILURE() << path << ": malformed directive: " << line;
      continue;
    }
    expected.push_back({m[1] == "ERROR" ? "error" : "warning", unsigned(std::stoul(l[1])),
                        unsigned(std::stoul(l[2])), l[3], {}});
  }
  return expected;
}

// ebpfc's text diagnostics about `path`: "path:line:col: severity: message",
// "path: severity: message", then "note: ..." lines; clang's "fatal error"
// counts as an error.
std::vector<Diagnostic> actualDiagnostics(const std::string &output, const std::string &path) {
  std::vector<Diagnostic> actual;
  std::string escaped = std::regex_replace(path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  std::regex located("^" + escaped + R"(:(\d+):(\d+): (error|warning|fatal error): (.*)$)");
  std::regex fileLevel("^" + escaped + R"(: (error|warning): (.*)$)");
  static const std::regex note(R"(^(?:\S+: )?note: (.*)$)");
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, located)) {
      actual.push_back({m[3] == "warning" ? "warning" : "error", unsigned(std::stoul(m[1])),
                        unsigned(std::stoul(m[2])), m[4], {}});
    } else if (std::regex_match(line, m, fileLevel)) {
      actual.push_back({m[1], 0, 0, m[2], {}});
    } else if (std::regex_match(line, m, note) && !actual.empty()) {
      actual.back().notes.push_back(m[1]);
    }
  }
  return actual;
}

std::vector<std::string> corpus() {
  std::vector<std::string> files;
  for (const auto &entry : fs::directory_iterator(P4_ERRORS_DIR))
    if (entry.path().extension() == ".p4")
      files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

class P4Diagnostics : public ::testing::TestWithParam<std::string> {};

TEST_P(P4Diagnostics, ExactDiagnostics) {
  std::string path = std::string(P4_ERRORS_DIR) + "/" + GetParam();
  std::vector<Diagnostic> expected = expectedDiagnostics(path);
  ASSERT_FALSE(expected.empty()) << path << " lists no expected diagnostic";
  std::string output = makeTempDir("p4-diagnostics") + "/out.o";
  CommandResult result = runCommand({EBPFC_PATH, "-O2", "-g", "-fno-color-diagnostics", "-c", path, "-o", output});
  EXPECT_NE(result.exitCode, 0) << "ebpfc accepted " << path;
  EXPECT_FALSE(fileExists(output)) << "ebpfc wrote an object for " << path;
  std::vector<Diagnostic> actual = actualDiagnostics(result.err, path);
  std::string expectedText, actualText;
  for (const Diagnostic &d : expected)
    expectedText += d.toString() + "\n";
  for (const Diagnostic &d : actual)
    actualText += d.toString() + "\n";
  EXPECT_EQ(expectedText, actualText) << "ebpfc printed:\n" << result.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, P4Diagnostics, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           std::string name = info.param.substr(0, info.param.size() - 3);
                           for (char &c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return name;
                         });

TEST(P4DiagnosticsCorpus, HasAtLeastTwentyPrograms) { EXPECT_GE(corpus().size(), 20u); }

} // namespace

// The pass corpus: small programs under corpus/, each either compiling (and
// loading in the kernel where bpf() works) or failing with exactly the
// diagnostics its comments list.
//
// Directives, in // comments anywhere in the file:
//   FLAGS: <ebpfc options>          added to "-O2 -g"
//   ERROR: <line>:<col>: <message>  an expected error (col may be 0 for "no column")
//   WARNING: <line>:<col>: <message>
//   NOTE: <text>                    an expected note of the preceding ERROR/WARNING
//   NO-LOAD: <reason>               compile only (e.g. a legacy map format libbpf 1.x rejects)
// A file without ERROR lines must compile without errors.
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace ebpfc::testing;

namespace {

struct Expectation {
  std::string severity; // "error" or "warning"
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
  std::vector<std::string> notes;
};

struct CorpusFile {
  std::string path;
  std::vector<std::string> flags;
  std::vector<Expectation> expected;
  std::string noLoadReason;
};

std::vector<std::string> splitWords(const std::string &text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;)
    words.push_back(w);
  return words;
}

CorpusFile parseCorpusFile(const std::string &path) {
  CorpusFile file;
  file.path = path;
  std::ifstream in(path);
  static const std::regex directive(R"(//\s*(FLAGS|ERROR|WARNING|NOTE|NO-LOAD):\s*(.*)$)");
  static const std::regex located(R"((\d+):(\d+): (.*))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, directive))
      continue;
    std::string kind = m[1], rest = m[2];
    if (kind == "FLAGS") {
      for (std::string &w : splitWords(rest))
        file.flags.push_back(std::move(w));
    } else if (kind == "NO-LOAD") {
      file.noLoadReason = rest;
    } else if (kind == "NOTE") {
      if (!file.expected.empty())
        file.expected.back().notes.push_back(rest);
    } else {
      std::smatch l;
      if (std::regex_match(rest, l, located))
        file.expected.push_back({kind == "ERROR" ? "error" : "warning", unsigned(std::stoul(l[1])),
                                 unsigned(std::stoul(l[2])), l[3], {}});
      else
        ADD_FAILURE() << path << ": malformed directive: " << line;
    }
  }
  return file;
}

// "file:line:col: severity: message" lines and the "note: ..." lines after
// them, from ebpfc's text diagnostics.
std::vector<Expectation> parseDiagnostics(const std::string &stderrText, const std::string &path) {
  std::vector<Expectation> out;
  static const std::regex head(R"(^(.*?):(\d+):(?:(\d+):)? (error|warning|fatal error): (.*)$)");
  static const std::regex note(R"(^(?:.*?: )?note: (.*)$)");
  std::istringstream in(stderrText);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, head) && m[1] == path) {
      std::string severity = m[4] == "warning" ? "warning" : "error";
      out.push_back({severity, unsigned(std::stoul(m[2])), m[3].matched ? unsigned(std::stoul(m[3])) : 0u, m[5], {}});
    } else if (std::regex_match(line, m, note) && !out.empty()) {
      out.back().notes.push_back(m[1]);
    }
  }
  return out;
}

std::string describe(const std::vector<Expectation> &list) {
  std::string s;
  for (const Expectation &e : list) {
    s += "  " + e.severity + " " + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
    for (const std::string &n : e.notes)
      s += "    note: " + n + "\n";
  }
  return s.empty() ? "  (none)\n" : s;
}

std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  for (const auto &entry : std::filesystem::directory_iterator(CORPUS_DIR))
    if (entry.path().extension() == ".c")
      files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

// Whether `bpftool prog loadall` works here; the reason when it does not.
const std::string &kernelLoadUnavailableReason() {
  static const std::string reason = [] {
    std::string dir = makeTempDir("probe");
    std::string source = dir + "/probe.c";
    writeFile(source, "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
                      "SEC(\"xdp\") int p(struct xdp_md *c) { return XDP_PASS; }\nchar l[] SEC(\"license\") = \"GPL\";\n");
    CommandResult compile = runCommand({EBPFC_PATH, source, "-o", dir + "/probe.o"});
    if (compile.exitCode != 0)
      return std::string("cannot compile the probe program: ") + compile.err;
    std::string pin = "/sys/fs/bpf/ebpfc-corpus-probe-" + std::to_string(::getpid());
    CommandResult load = runCommand({BPFTOOL_PATH, "prog", "loadall", dir + "/probe.o", pin});
    runCommand({"rm", "-rf", pin});
    std::filesystem::remove_all(dir);
    return load.exitCode == 0 ? std::string() : "bpftool cannot load programs here: " + load.err;
  }();
  return reason;
}

class Corpus : public ::testing::TestWithParam<std::string> {};

} // namespace

TEST_P(Corpus, CompilesOrReportsExactly) {
  CorpusFile file = parseCorpusFile(std::string(CORPUS_DIR) + "/" + GetParam());
  std::string dir = makeTempDir("corpus");
  std::string object = dir + "/out.o";
  std::vector<std::string> args{EBPFC_PATH, "-O2", "-g"};
  args.insert(args.end(), file.flags.begin(), file.flags.end());
  args.insert(args.end(), {file.path, "-o", object});
  CommandResult r = runCommand(args);

  std::vector<Expectation> actual = parseDiagnostics(r.err, file.path);
  bool same = actual.size() == file.expected.size();
  for (size_t i = 0; same && i < actual.size(); ++i) {
    const Expectation &a = actual[i], &e = file.expected[i];
    same = a.severity == e.severity && a.line == e.line && a.column == e.column && a.message == e.message &&
           (e.notes.empty() || a.notes == e.notes);
  }
  EXPECT_TRUE(same) << "expected:\n" << describe(file.expected) << "got:\n" << describe(actual) << "stderr:\n" << r.err;

  bool expectError = std::any_of(file.expected.begin(), file.expected.end(),
                                 [](const Expectation &e) { return e.severity == "error"; });
  if (expectError) {
    EXPECT_NE(r.exitCode, 0);
    EXPECT_FALSE(fileExists(object)) << "no output after an error";
  } else {
    ASSERT_EQ(r.exitCode, 0) << r.err;
    if (!file.noLoadReason.empty()) {
      std::printf("[ NO-LOAD  ] %s: %s\n", GetParam().c_str(), file.noLoadReason.c_str());
    } else if (const std::string &reason = kernelLoadUnavailableReason(); !reason.empty()) {
      std::printf("[ SKIPPED  ] kernel load of %s: %s\n", GetParam().c_str(), reason.c_str());
    } else {
      std::string pin = "/sys/fs/bpf/ebpfc-corpus-" + std::to_string(::getpid());
      CommandResult load = runCommand({BPFTOOL_PATH, "prog", "loadall", object, pin});
      runCommand({"rm", "-rf", pin});
      EXPECT_EQ(load.exitCode, 0) << "the kernel rejects " << GetParam() << ":\n" << load.err;
    }
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Passes, Corpus, ::testing::ValuesIn(corpusFiles()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           std::string name = info.param.substr(0, info.param.size() - 2);
                           for (char &c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return name;
                         });

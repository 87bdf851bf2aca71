// ebpfvm test PATH...: runs golden suites — the project's own format
// (*.suite.json, docs/testing.md) and p4c's STF (*.stf beside a .p4) — on
// one engine or on several side by side, in parallel, with a diff-like
// account of each failure, JUnit XML for CI, and --update to rewrite the
// expectations from what the programs did.
#include "runtime/exec/PacketEngine.h"
#include "runtime/kernel/KernelObject.h"
#include "suites/CaseCheck.h"
#include "suites/StfFile.h"
#include "suites/StfRunner.h"
#include "suites/SuiteRecorder.h"
#include "suites/SuiteRunner.h"
#include "tools/ebpfvm/CommandLine.h"
#include "tools/ebpfvm/Commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace ebpfc::ebpfvm {
namespace {

namespace fs = std::filesystem;
using suites::Bytes;

constexpr std::string_view kCommand = "test";

// ---- settings --------------------------------------------------------------

struct Engine {
  std::string name;
  std::unique_ptr<runtime::PacketEngine> engine;
};

struct Settings {
  std::vector<fs::path> suites;
  std::vector<Engine> engines;
  std::string ebpfc;
  std::optional<std::string> junit;
  unsigned jobs = 1;
  bool update = false;
  bool verbose = false;
  bool progress = true;
  bool color = false;
};

bool isSuiteFile(const fs::path &path) {
  const std::string name = path.filename().string();
  return name.ends_with(".suite.json") || path.extension() == ".stf";
}

// The suites named on the command line: files as given, directories
// searched recursively (in name order).
bool discover(const std::vector<std::string> &paths, std::vector<fs::path> &out, std::string &error) {
  for (const std::string &path : paths) {
    std::error_code code;
    fs::file_status status = fs::status(path, code);
    if (code || !fs::exists(status)) {
      error = path + ": no such file or directory";
      return false;
    }
    if (!fs::is_directory(status)) {
      if (!isSuiteFile(path)) {
        error = path + ": not a suite (a *.suite.json or *.stf file, or a directory of them)";
        return false;
      }
      out.emplace_back(path);
      continue;
    }
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, code), end;
         !code && it != end; it.increment(code))
      if (it->is_regular_file() && isSuiteFile(it->path()))
        found.push_back(it->path());
    if (code) {
      error = path + ": " + code.message();
      return false;
    }
    if (found.empty()) {
      error = path + ": no suites in this directory (*.suite.json, *.stf)";
      return false;
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return true;
}

// ebpfc: --ebpfc, $EBPFC, next to this ebpfvm (installed: both in bin/;
// build tree: tools/ebpfc/ebpfc beside tools/ebpfvm/), else on PATH.
std::string findEbpfc(const std::optional<std::string> &given) {
  if (given)
    return *given;
  if (const char *environment = std::getenv("EBPFC"); environment && *environment)
    return environment;
  std::error_code code;
  fs::path self = fs::read_symlink("/proc/self/exe", code);
  if (!code) {
    for (const fs::path &candidate : {self.parent_path() / "ebpfc", self.parent_path().parent_path() / "ebpfc" / "ebpfc"})
      if (access(candidate.c_str(), X_OK) == 0)
        return candidate.string();
  }
  return "ebpfc";
}

// ---- results ---------------------------------------------------------------

// One failed check of a case (or STF script) on one engine, or a
// disagreement between engines.
struct Failure {
  std::string where;   // "file:line"
  std::string message;
  std::optional<suites::BytePattern> expected; // for a packet diff
  Bytes actual;
  bool exactLength = true; // false: `expected` is a prefix (STF without $)
  std::vector<std::string> engines; // that reported it; empty: not engine-specific
};

// One failure reported alike by several engines is shown once, naming them
// (or none, when every engine of the run reported it).
std::vector<Failure> mergeAcrossEngines(std::vector<Failure> failures, size_t engineCount) {
  std::vector<Failure> merged;
  for (Failure &failure : failures) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](const Failure &other) {
      return !other.engines.empty() && !failure.engines.empty() && other.where == failure.where &&
             other.message == failure.message && other.actual == failure.actual;
    });
    if (same != merged.end())
      same->engines.push_back(failure.engines.front());
    else
      merged.push_back(std::move(failure));
  }
  for (Failure &failure : merged) {
    if (failure.engines.empty() || engineCount == 1 || failure.engines.size() == engineCount)
      continue;
    std::string names;
    for (const std::string &name : failure.engines)
      names += (names.empty() ? "" : ", ") + name;
    failure.message = "[" + names + "] " + failure.message;
  }
  return merged;
}

struct CaseOutcome {
  std::string name;
  std::vector<Failure> failures;
  double seconds = 0;
};

struct SuiteOutcome {
  fs::path path;
  std::string error; // the suite could not run at all (bad file, compile error, engine refused)
  std::vector<CaseOutcome> cases;
  std::string note;  // e.g. "updated 5 cases"
  double seconds = 0;
  bool passed() const {
    return error.empty() &&
           std::all_of(cases.begin(), cases.end(), [](const CaseOutcome &c) { return c.failures.empty(); });
  }
};

// ---- packet diffs ----------------------------------------------------------

// Rows of 16 bytes, expected above actual, with the differing bytes marked:
// highlighted in colour on a terminal, and with ^^ below them in any case.
std::string packetDiff(const suites::BytePattern &expected, const Bytes &actual, bool exactLength, bool color) {
  const size_t length = std::max(expected.bytes.size(), actual.size());
  std::string out;
  auto cell = [&](bool present, uint8_t value, bool wildcardHigh, bool wildcardLow) {
    if (!present)
      return std::string("  ");
    std::string hex = fmt::format("{:02x}", value);
    if (wildcardHigh)
      hex[0] = '*';
    if (wildcardLow)
      hex[1] = '*';
    return hex;
  };
  for (size_t row = 0; row < length; row += 16) {
    std::string expectedLine, actualLine, marks;
    bool differs = false;
    for (size_t i = row; i < std::min(length, row + 16); ++i) {
      const bool hasExpected = i < expected.bytes.size(), hasActual = i < actual.size();
      const uint8_t mask = hasExpected ? expected.mask[i] : 0;
      bool bad = hasExpected != hasActual ||
                 (hasExpected && ((expected.bytes[i] ^ actual[i]) & mask) != 0);
      // Bytes past the end of a prefix expectation do not count.
      if (hasActual && !hasExpected && !exactLength)
        bad = false;
      differs |= bad;
      std::string e = cell(hasExpected, hasExpected ? expected.bytes[i] : 0, (mask & 0xf0) == 0 && hasExpected,
                           (mask & 0x0f) == 0 && hasExpected);
      std::string a = cell(hasActual, hasActual ? actual[i] : 0, false, false);
      if (bad && color) {
        e = "\033[32m" + e + "\033[0m";
        a = "\033[31m" + a + "\033[0m";
      }
      expectedLine += " " + e;
      actualLine += " " + a;
      marks += bad ? " ^^" : "   ";
    }
    if (!differs)
      continue;
    auto trim = [](std::string line) {
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      return line;
    };
    out += fmt::format("      - {:04x}:{}\n      + {:04x}:{}\n", row, trim(expectedLine), row, trim(actualLine));
    while (!marks.empty() && marks.back() == ' ')
      marks.pop_back();
    out += "             " + marks + "\n";
  }
  return out;
}

// ---- JSON suites -----------------------------------------------------------

// Where compiled programs go: a fresh directory for this run, removed at
// its end; empty when none could be made (compiling then fails, saying so).
const fs::path &objectDirectory() {
  static const fs::path directory = [] {
    std::error_code code;
    const fs::path root = fs::temp_directory_path(code);
    if (code)
      return fs::path();
    std::string pattern = (root / "ebpfvm-test-XXXXXX").string();
    const char *made = mkdtemp(pattern.data());
    return made ? fs::path(made) : fs::path();
  }();
  return directory;
}

// A path for the object of `suite`, or "" with `error`.
std::string objectPathFor(const fs::path &suite, std::string &error) {
  static std::atomic<unsigned> counter{0};
  if (objectDirectory().empty()) {
    const char *tmpdir = std::getenv("TMPDIR");
    error = std::string("cannot create a temporary directory for compiled programs in ") +
            (tmpdir && *tmpdir ? tmpdir : "/tmp") + " (set TMPDIR to a writable directory)";
    return "";
  }
  return (objectDirectory() / fmt::format("{}-{}.o", suite.stem().string(), counter++)).string();
}

void runJsonSuite(const Settings &settings, SuiteOutcome &outcome) {
  auto loaded = suites::loadSuite(outcome.path);
  if (auto *error = std::get_if<suites::SuiteError>(&loaded)) {
    outcome.error = error->toString();
    return;
  }
  const suites::Suite &suite = std::get<suites::Suite>(loaded);
  std::string object = suite.program.object.string();
  if (object.empty()) {
    std::string error;
    object = objectPathFor(outcome.path, error);
    if (object.empty() ||
        !suites::compileProgram(settings.ebpfc, suite.program.source, suite.program.flags, object, error)) {
      outcome.error = suite.program.where.toString() + ": " + error;
      return;
    }
  }

  std::vector<std::vector<std::optional<suites::CaseResult>>> results(
      suite.cases.size(), std::vector<std::optional<suites::CaseResult>>(settings.engines.size()));
  for (size_t i = 0; i < suite.cases.size(); ++i) {
    const suites::CaseSpec &spec = suite.cases[i];
    CaseOutcome caseOutcome{spec.name, {}, 0};
    const auto start = std::chrono::steady_clock::now();
    const std::string where = spec.where.file + ":" + std::to_string(spec.where.line);
    for (size_t e = 0; e < settings.engines.size(); ++e) {
      const Engine &engine = settings.engines[e];
      suites::CaseResult result;
      std::string error;
      if (!suites::runCase(*engine.engine, object, suite, spec, result, error)) {
        caseOutcome.failures.push_back({where, error, std::nullopt, {}, true, {engine.name}});
        continue;
      }
      if (!settings.update)
        for (const std::string &problem : suites::checkCase(spec, spec.packet, result)) {
          Failure failure{where, problem, std::nullopt, {}, true, {engine.name}};
          if (problem.starts_with("output packet") && spec.expect.packet)
            failure.expected = spec.expect.packet, failure.actual = result.packet;
          caseOutcome.failures.push_back(std::move(failure));
        }
      results[i][e] = std::move(result);
    }
    caseOutcome.failures = mergeAcrossEngines(std::move(caseOutcome.failures), settings.engines.size());
    // Engines must agree with the first one that ran the case.
    for (size_t e = 1; e < settings.engines.size(); ++e) {
      if (!results[i][0] || !results[i][e])
        continue;
      for (const std::string &difference :
           suites::describeDifferences(*results[i][0], *results[i][e], settings.engines[0].name,
                                       settings.engines[e].name))
        caseOutcome.failures.push_back({where, "engines disagree: " + difference, std::nullopt, {}, true, {}});
    }
    caseOutcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.cases.push_back(std::move(caseOutcome));
  }
  if (!settings.update)
    return;

  // --update: the first engine's results become the expectations.
  suites::ProgramWrites writes;
  for (size_t i = 0; i < suite.cases.size(); ++i)
    if (results[i][0])
      writes.learnFrom(suite.cases[i], *results[i][0]);
  // Per-packet scratch state of P4 programs is not an outcome.
  writes.maps.erase("ebpfc_p4_scratch");
  suites::Json root;
  std::string error;
  if (!suites::readSuiteJson(suite, root, error)) {
    outcome.error = error;
    return;
  }
  std::map<std::string, suites::Json> recorded;
  for (size_t i = 0; i < suite.cases.size(); ++i)
    if (results[i][0])
      recorded[suite.cases[i].name] =
          suites::recordExpectations(suite.cases[i], root["cases"][i]["packet"], *results[i][0], writes);
  if (!suites::writeRecordedExpectations(suite, recorded, error)) {
    outcome.error = error;
    return;
  }
  outcome.note = fmt::format("updated {} of {} cases from {}; review the change", recorded.size(),
                             suite.cases.size(), settings.engines[0].name);
}

// ---- STF suites ------------------------------------------------------------

// Writes `text` to `path` through a temporary file in the same directory,
// so an interrupted update never leaves half a file.
bool replaceFile(const fs::path &path, const std::string &text, std::string &error) {
  fs::path temporary = path;
  temporary += fmt::format(".tmp{}", getpid());
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    if (!out.flush()) {
      error = temporary.string() + ": cannot write";
      return false;
    }
  }
  std::error_code code;
  fs::rename(temporary, path, code);
  if (code) {
    fs::remove(temporary, code);
    error = path.string() + ": cannot replace: " + code.message();
    return false;
  }
  return true;
}

void runStfSuite(const Settings &settings, SuiteOutcome &outcome) {
  auto loaded = suites::loadStf(outcome.path);
  if (auto *error = std::get_if<suites::StfError>(&loaded)) {
    outcome.error = error->toString();
    return;
  }
  const suites::StfScript &script = std::get<suites::StfScript>(loaded);
  fs::path program = outcome.path;
  program.replace_extension(".p4");
  if (!fs::exists(program)) {
    outcome.error = outcome.path.string() + ": error: no program beside it; an STF suite runs " +
                    program.filename().string() + " from the same directory";
    return;
  }
  std::string error;
  const std::string object = objectPathFor(outcome.path, error);
  if (object.empty()) {
    outcome.error = error;
    return;
  }
  const fs::path directory = program.has_parent_path() ? program.parent_path() : fs::path(".");
  if (!suites::compileProgram(settings.ebpfc, program, {"-O2", "-I" + directory.string()}, object, error)) {
    outcome.error = program.string() + ": " + error;
    return;
  }
  CaseOutcome caseOutcome{outcome.path.filename().string(), {}, 0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::optional<suites::StfRun>> runs(settings.engines.size());
  auto where = [&](unsigned line) {
    return line ? outcome.path.string() + ":" + std::to_string(line) : outcome.path.string();
  };
  for (size_t e = 0; e < settings.engines.size(); ++e) {
    const Engine &engine = settings.engines[e];
    auto run = suites::runStf(*engine.engine, object, "", script);
    if (auto *failure = std::get_if<suites::StfRunError>(&run)) {
      caseOutcome.failures.push_back({where(failure->line), failure->message, std::nullopt, {}, true, {engine.name}});
      continue;
    }
    runs[e] = std::get<suites::StfRun>(std::move(run));
    if (!settings.update)
      for (suites::StfMismatch &mismatch : suites::checkStf(script, *runs[e]))
        caseOutcome.failures.push_back(
            {where(mismatch.line), mismatch.message, std::move(mismatch.expected), mismatch.actual,
             mismatch.exactLength, {engine.name}});
  }
  caseOutcome.failures = mergeAcrossEngines(std::move(caseOutcome.failures), settings.engines.size());
  for (size_t e = 1; e < settings.engines.size(); ++e) {
    if (!runs[0] || !runs[e])
      continue;
    const suites::StfRun &left = *runs[0], &right = *runs[e];
    const std::string &a = settings.engines[0].name, &b = settings.engines[e].name;
    for (size_t i = 0; i < std::min(left.returnValues.size(), right.returnValues.size()); ++i)
      if (left.returnValues[i] != right.returnValues[i]) {
        caseOutcome.failures.push_back({where(0),
                                        fmt::format("engines disagree on the verdict of packet {}: {} {}, {} {}",
                                                    i + 1, a, left.returnValues[i], b, right.returnValues[i]),
                                        std::nullopt,
                                        {}, true, {}});
      }
    for (size_t i = 0; i < std::min(left.outputs.size(), right.outputs.size()); ++i) {
      const suites::StfOutput &l = left.outputs[i], &r = right.outputs[i];
      const bool portsComparable = l.port != suites::kUnknownPort && r.port != suites::kUnknownPort;
      if (l.data != r.data || (portsComparable && l.port != r.port))
        caseOutcome.failures.push_back(
            {where(l.packetLine),
             fmt::format("engines disagree on the packet sent: {} port {} {}, {} port {} {}", a, l.port,
                         suites::formatHex(l.data), b, r.port, suites::formatHex(r.data)),
             std::nullopt,
             {}, true, {}});
    }
    if (left.outputs.size() != right.outputs.size())
      caseOutcome.failures.push_back({where(0),
                                      fmt::format("engines disagree: {} sent {} packets, {} sent {}", a,
                                                  left.outputs.size(), b, right.outputs.size()),
                                      std::nullopt,
                                      {}, true, {}});
  }
  caseOutcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.cases.push_back(std::move(caseOutcome));
  if (!settings.update || !runs[0])
    return;
  std::optional<std::string> text = readInput(outcome.path.string(), error);
  if (!text || !replaceFile(outcome.path, suites::rewriteStfExpectations(*text, script, *runs[0]), error)) {
    outcome.error = error;
    return;
  }
  outcome.note = fmt::format("updated the expectations from {}; review the change", settings.engines[0].name);
}

// ---- reporting -------------------------------------------------------------

std::string xmlEscape(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    case '"': out += "&quot;"; break;
    case '\033': break; // colour never goes into XML
    default:
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
        out += fmt::format("&#x{:x};", static_cast<unsigned char>(c));
      else
        out += c;
    }
  }
  return out;
}

std::string describeFailure(const Failure &failure, bool color) {
  std::string text = "    " + failure.where + ": " + failure.message + "\n";
  if (failure.expected)
    text += packetDiff(*failure.expected, failure.actual, failure.exactLength, color);
  return text;
}

std::string suiteReport(const SuiteOutcome &outcome, const Settings &settings) {
  std::string engines;
  for (const Engine &engine : settings.engines)
    engines += (engines.empty() ? "" : ", ") + engine.name;
  const char *pass = settings.color ? "\033[32mPASS\033[0m" : "PASS";
  const char *fail = settings.color ? "\033[31mFAIL\033[0m" : "FAIL";
  if (!outcome.error.empty())
    return fmt::format("{} {}\n    {}\n", fail, outcome.path.string(), outcome.error);
  size_t failed = 0;
  for (const CaseOutcome &c : outcome.cases)
    failed += !c.failures.empty();
  std::string text = fmt::format("{} {} ({} case{}, {}{}{})\n", failed ? fail : pass, outcome.path.string(),
                                 outcome.cases.size(), outcome.cases.size() == 1 ? "" : "s", engines,
                                 failed ? fmt::format(", {} failed", failed) : "",
                                 outcome.note.empty() ? "" : "; " + outcome.note);
  for (const CaseOutcome &c : outcome.cases) {
    if (c.failures.empty()) {
      if (settings.verbose)
        text += fmt::format("  ok   {}\n", c.name);
      continue;
    }
    text += fmt::format("  FAIL {}\n", c.name);
    for (const Failure &failure : c.failures)
      text += describeFailure(failure, settings.color);
  }
  return text;
}

bool writeJunit(const std::string &path, const std::vector<SuiteOutcome> &outcomes, std::string &error) {
  size_t tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  std::string body;
  for (const SuiteOutcome &outcome : outcomes) {
    size_t suiteFailures = 0;
    std::string cases;
    if (!outcome.error.empty()) {
      errors++;
      cases += fmt::format("    <testcase name=\"(suite)\" classname=\"{}\" time=\"0\">\n"
                           "      <error message=\"the suite could not run\">{}</error>\n    </testcase>\n",
                           xmlEscape(outcome.path.string()), xmlEscape(outcome.error));
    }
    for (const CaseOutcome &c : outcome.cases) {
      cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{:.6f}\"", xmlEscape(c.name),
                           xmlEscape(outcome.path.string()), c.seconds);
      if (c.failures.empty()) {
        cases += "/>\n";
        continue;
      }
      suiteFailures++;
      std::string details;
      for (const Failure &failure : c.failures)
        details += describeFailure(failure, false);
      cases += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                           xmlEscape(c.failures.front().message), xmlEscape(details));
    }
    const size_t count = outcome.cases.size() + (outcome.error.empty() ? 0 : 1);
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.6f}\">\n{}"
                        "  </testsuite>\n",
                        xmlEscape(outcome.path.string()), count, suiteFailures, outcome.error.empty() ? 0 : 1,
                        outcome.seconds, cases);
    tests += count;
    failures += suiteFailures;
    seconds += outcome.seconds;
  }
  std::string xml = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<testsuites name=\"ebpfvm test\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
                                "time=\"{:.6f}\">\n{}</testsuites>\n",
                                tests, failures, errors, seconds, body);
  return replaceFile(path, xml, error);
}

// ---- the command -----------------------------------------------------------

// False with `error`; `kernelRefused` when the kernel engine was asked for
// and bpf() is refused here.
bool makeEngines(const std::string &choice, bool checked, std::vector<Engine> &engines, std::string &error,
                 std::string &note, bool &kernelRefused) {
  // With --checked the in-process engines run in checked mode ("jit" then
  // is "jit-checked").
  static const std::set<std::string> known{"interp", "jit", "jit-checked", "kernel", "all"};
  if (!known.count(choice)) {
    error = "unknown engine '" + choice + "' (engines: interp, jit, jit-checked, kernel, all)";
    return false;
  }
  std::vector<std::string> names{choice};
  if (choice == "all")
    names = {"interp", checked ? "jit-checked" : "jit", "kernel"};
  for (const std::string &name : names) {
    std::string why;
    std::unique_ptr<runtime::PacketEngine> engine;
    if (name == "kernel") {
      engine = runtime::createKernelPacketEngine(why);
      if (!engine && choice == "all") {
        note = "the kernel engine is skipped: " + why;
        continue;
      }
    } else {
      runtime::VmOptions options;
      options.engine.checked = checked;
      // As many virtual CPUs as the kernel has, so that suites with per-CPU
      // maps mean the same on every engine.
      options.cpus = std::max(1u, runtime::kernel::KernelObject::possibleCpus());
      engine = runtime::createVmPacketEngine(name, std::move(options), why);
    }
    if (!engine) {
      kernelRefused = name == "kernel";
      error = fmt::format("engine '{}': {}", name, why);
      return false;
    }
    engines.push_back({name, std::move(engine)});
  }
  return true;
}

} // namespace

int testCommand(std::span<const std::string> args) {
  CommandLine line(args, {"--engine", "-j", "--jobs", "--junit", "--ebpfc"},
                   {"--update", "--verbose", "-v", "--no-progress", "--checked", "--color", "--no-color"});
  if (!line.ok())
    return reportError(kCommand, line.error(), 2);
  if (line.positional().empty())
    return reportError(kCommand, "name suites or directories of them (ebpfvm test tests/suites)", 2);

  Settings settings;
  std::string error, note;
  if (!discover(line.positional(), settings.suites, error))
    return reportError(kCommand, error, 2);
  const std::string engineChoice = line.value("--engine").value_or("interp");
  const bool checked = line.has("--checked");
  bool kernelRefused = false;
  if (!makeEngines(engineChoice, checked, settings.engines, error, note, kernelRefused)) {
    if (kernelRefused) {
      // CTest's SKIP_RETURN_CODE: the machine cannot run the kernel engine.
      std::printf("ebpfvm test: skipped: %s\n", error.c_str());
      return 77;
    }
    return reportError(kCommand, error, 2);
  }
  settings.ebpfc = findEbpfc(line.value("--ebpfc"));
  settings.junit = line.value("--junit");
  settings.update = line.has("--update");
  settings.verbose = line.has("--verbose") || line.has("-v");
  settings.progress = !line.has("--no-progress") && isatty(STDERR_FILENO);
  settings.color = line.has("--color") || (!line.has("--no-color") && isatty(STDOUT_FILENO));
  if (settings.update && settings.engines.size() > 1)
    return reportError(kCommand, "--update records from one engine; give --engine=interp, jit or kernel", 2);
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  if (auto text = line.value("-j") ? line.value("-j") : line.value("--jobs")) {
    char *end = nullptr;
    unsigned long value = std::strtoul(text->c_str(), &end, 10);
    if (text->empty() || *end || value == 0 || value > 256)
      return reportError(kCommand, "-j takes a number of parallel suites from 1 to 256, not '" + *text + "'", 2);
    jobs = unsigned(value);
  }
  settings.jobs = std::min<unsigned>(jobs, unsigned(settings.suites.size()));
  if (!note.empty())
    std::printf("note: %s\n", note.c_str());

  std::vector<SuiteOutcome> outcomes(settings.suites.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex outputMutex;
  auto worker = [&] {
    for (size_t i = next++; i < outcomes.size(); i = next++) {
      SuiteOutcome &outcome = outcomes[i];
      outcome.path = settings.suites[i];
      const auto start = std::chrono::steady_clock::now();
      if (outcome.path.extension() == ".stf")
        runStfSuite(settings, outcome);
      else
        runJsonSuite(settings, outcome);
      outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::string report = suiteReport(outcome, settings);
      std::lock_guard<std::mutex> lock(outputMutex);
      ++done;
      if (settings.progress)
        std::fprintf(stderr, "\r\033[K");
      std::fputs(report.c_str(), stdout);
      std::fflush(stdout);
      if (settings.progress) {
        std::fprintf(stderr, "[%zu/%zu suites]", done.load(), outcomes.size());
        std::fflush(stderr);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < settings.jobs; ++t)
    threads.emplace_back(worker);
  worker();
  for (std::thread &thread : threads)
    thread.join();
  if (settings.progress)
    std::fprintf(stderr, "\r\033[K");
  std::error_code ignored;
  if (!objectDirectory().empty())
    fs::remove_all(objectDirectory(), ignored);

  size_t suitesFailed = 0, suitesBroken = 0, cases = 0, casesFailed = 0;
  for (const SuiteOutcome &outcome : outcomes) {
    suitesFailed += !outcome.passed();
    suitesBroken += !outcome.error.empty();
    cases += outcome.cases.size();
    for (const CaseOutcome &c : outcome.cases)
      casesFailed += !c.failures.empty();
  }
  const std::string broken = suitesBroken ? fmt::format(", {} suite{} could not run", suitesBroken,
                                                        suitesBroken == 1 ? "" : "s")
                                          : "";
  std::printf("%zu suite%s, %zu case%s: %zu passed, %zu failed%s\n", outcomes.size(),
              outcomes.size() == 1 ? "" : "s", cases, cases == 1 ? "" : "s", cases - casesFailed, casesFailed,
              broken.c_str());
  if (settings.junit && !writeJunit(*settings.junit, outcomes, error))
    return reportError(kCommand, error);
  return suitesFailed == 0 ? 0 : 1;
}

} // namespace ebpfc::ebpfvm

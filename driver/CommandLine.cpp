#include "driver/CommandLine.h"

#include "ir/KernelVersion.h"
#include "passes/Pipeline.h"

#include <llvm/Config/llvm-config.h>

#include <sys/utsname.h>

#include <algorithm>
#include <charconv>

namespace ebpfc::driver {

namespace {

// Options whose value may be the next argument (`-I dir` as well as `-Idir`).
constexpr std::string_view kClangOptionsWithValue[] = {
    "-I", "-D", "-U", "-include", "-imacros", "-isystem", "-idirafter", "-iquote", "-Xclang",
};

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<ir::KernelVersion> runningKernel() {
  utsname name{};
  if (uname(&name) != 0)
    return std::nullopt;
  return ir::KernelVersion::parse(std::string_view(name.release).substr(
      0, std::string_view(name.release).find_first_not_of("0123456789.")));
}

// Locals of this many bytes or more move to the scratch map with --spill-locals.
constexpr unsigned kDefaultSpillThreshold = 64;

class Parser {
public:
  Parser(std::span<const std::string> args, ir::DiagnosticEngine &diags) : args_(args), diags_(diags) {}

  std::optional<CommandLine> parse() {
    std::optional<ir::IsaLevel> isa;
    std::optional<ir::KernelVersion> kernel;
    for (index_ = 0; index_ < args_.size(); ++index_) {
      const std::string &arg = args_[index_];
      if (arg.empty())
        continue;
      if (arg[0] != '-' || arg == "-") {
        result_.options.inputs.push_back(arg);
        continue;
      }
      if (arg == "--help" || arg == "-h" || arg == "-help") { result_.action = Action::Help; continue; }
      if (arg == "--version") { result_.action = Action::Version; continue; }
      if (arg == "-c") continue;
      if (arg == "-S") { if (result_.options.emit != EmitKind::LlvmIr) result_.options.emit = EmitKind::Assembly; continue; }
      if (arg == "--emit-ir" || arg == "-emit-llvm") { result_.options.emit = EmitKind::LlvmIr; continue; }
      if (arg == "-o") { if (auto v = value(arg)) result_.options.output = *v; continue; }
      if (startsWith(arg, "-o")) { result_.options.output = arg.substr(2); continue; }
      if (startsWith(arg, "-O")) { optimization(arg); continue; }
      if (arg == "-g0") { result_.options.debugInfo = false; continue; }
      if (arg == "-g" || arg == "-ggdb" || arg == "-g1" || arg == "-g2" || arg == "-g3" || arg == "-gdwarf" ||
          startsWith(arg, "-gdwarf-")) { result_.options.debugInfo = true; continue; }
      if (startsWith(arg, "-mcpu=")) { isa = cpu(arg.substr(6)); continue; }
      if (startsWith(arg, "--target-kernel=")) { kernel = kernelVersion(arg.substr(16)); continue; }
      if (arg == "-target") { if (auto v = value(arg)) triple(*v); continue; }
      if (startsWith(arg, "--target=")) { triple(arg.substr(9)); continue; }
      if (arg == "-x") { if (auto v = value(arg)) language(*v); continue; }
      if (arg == "-MD") { result_.options.depfile.enabled = true; continue; }
      if (arg == "-MMD") { result_.options.depfile.enabled = true; result_.options.depfile.systemHeaders = false; continue; }
      if (arg == "-MP") { result_.options.depfile.phonyTargets = true; continue; }
      if (arg == "-MF") { if (auto v = value(arg)) result_.options.depfile.path = *v; continue; }
      if (arg == "-MT") { if (auto v = value(arg)) result_.options.depfile.targets.push_back(*v); continue; }
      if (arg == "-MQ") { if (auto v = value(arg)) result_.options.depfile.targets.push_back(quoteForMake(*v)); continue; }
      if (arg == "--skeleton") { if (auto v = value(arg)) result_.options.skeleton = *v; continue; }
      if (startsWith(arg, "--skeleton=")) { result_.options.skeleton = arg.substr(11); continue; }
      if (startsWith(arg, "--section-type=")) { sectionType(arg.substr(15)); continue; }
      if (startsWith(arg, "--print-after=")) { printAfter(arg.substr(14)); continue; }
      if (arg == "--print-after-all") { result_.options.pipeline.printAfter.push_back("all"); continue; }
      if (startsWith(arg, "--unroll=")) { unroll(arg.substr(9)); continue; }
      if (startsWith(arg, "--globals=")) { globals(arg.substr(10)); continue; }
      if (startsWith(arg, "--map-format=")) { mapFormat(arg.substr(13)); continue; }
      if (startsWith(arg, "--stack-limit=")) { stackLimit(arg.substr(14)); continue; }
      if (arg == "--spill-locals") { result_.options.pipeline.spillThreshold = kDefaultSpillThreshold; continue; }
      if (startsWith(arg, "--spill-locals=")) { spillLocals(arg.substr(15)); continue; }
      if (arg == "--stats" || arg == "--stats=text") { result_.options.pipeline.stats = passes::StatsFormat::Text; continue; }
      if (arg == "--stats=json") { result_.options.pipeline.stats = passes::StatsFormat::Json; continue; }
      if (startsWith(arg, "--diagnostics-format=")) { continue; } // read by diagnosticFormatOf
      if (arg == "-fcolor-diagnostics" || arg == "-fdiagnostics-color" || arg == "-fno-color-diagnostics" ||
          arg == "-fdiagnostics-color=never" || arg == "-fdiagnostics-color=always" || arg == "-fdiagnostics-color=auto")
        continue; // read by colorRequested
      if (arg == "-Werror") { result_.options.warningsAsErrors = true; result_.options.clangArgs.push_back(arg); continue; }
      if (startsWith(arg, "--")) {
        diags_.error("unknown option '" + arg + "'", {{{}, "run 'ebpfc --help' for the list of options"}});
        continue;
      }
      clangOption(arg);
    }
    finishTarget(isa, kernel);
    if (diags_.hasErrors())
      return std::nullopt;
    if (result_.action == Action::Compile)
      checkInputs();
    if (diags_.hasErrors())
      return std::nullopt;
    return std::move(result_);
  }

private:
  std::optional<std::string> value(const std::string &option) {
    if (index_ + 1 >= args_.size()) {
      diags_.error("argument to '" + option + "' is missing (expected 1 value)");
      return std::nullopt;
    }
    return args_[++index_];
  }

  void optimization(const std::string &arg) {
    std::string level = arg.substr(2);
    passes::PipelineOptions &o = result_.options.pipeline;
    o.sizeLevel = 0;
    if (level.empty() || level == "1") o.optLevel = 1;
    else if (level == "0") o.optLevel = 0;
    else if (level == "2") o.optLevel = 2;
    else if (level == "3" || level == "fast") o.optLevel = 3;
    else if (level == "s") { o.optLevel = 2; o.sizeLevel = 1; }
    else if (level == "z") { o.optLevel = 2; o.sizeLevel = 2; }
    else if (level == "g") o.optLevel = 1;
    else diags_.error("invalid optimization level '" + arg + "'", {{{}, "use -O0, -O1, -O2, -O3, -Os or -Oz"}});
  }

  std::optional<ir::IsaLevel> cpu(const std::string &name) {
    if (name == "probe") {
      if (auto running = runningKernel())
        return ir::Target::maxIsaFor(*running);
      diags_.error("-mcpu=probe: cannot read the running kernel's version");
      return std::nullopt;
    }
    if (auto isa = ir::parseIsa(name))
      return isa;
    diags_.error("unknown CPU '" + name + "' for target bpf", {{{}, "use -mcpu=v1, v2, v3, v4, generic or probe"}});
    return std::nullopt;
  }

  std::optional<ir::KernelVersion> kernelVersion(const std::string &text) {
    if (text == "native") {
      if (auto running = runningKernel())
        return running;
      diags_.error("--target-kernel=native: cannot read the running kernel's version");
      return std::nullopt;
    }
    if (auto v = ir::KernelVersion::parse(text))
      return v;
    diags_.error("invalid kernel version '" + text + "'", {{{}, "write it as MAJOR.MINOR, e.g. --target-kernel=5.10, or 'native'"}});
    return std::nullopt;
  }

  void triple(const std::string &name) {
    if (name == "bpf" || name == "bpfel")
      return;
    if (name == "bpfeb")
      diags_.error("big-endian BPF (bpfeb) is not supported", {{{}, "ebpfc targets little-endian BPF; use --target=bpf"}});
    else
      diags_.error("unsupported target '" + name + "'", {{{}, "ebpfc compiles for --target=bpf only"}});
  }

  void language(const std::string &name) {
    if (name == "c") result_.options.language = InputLanguage::C;
    else if (name == "p4") result_.options.language = InputLanguage::P4;
    else if (name == "assembler") result_.options.language = InputLanguage::Assembly;
    else diags_.error("unsupported language '" + name + "' for -x", {{{}, "use -x c, -x p4 or -x assembler"}});
  }

  void sectionType(const std::string &spec) {
    size_t eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0) {
      diags_.error("--section-type expects SECTION=TYPE, got '" + spec + "'");
      return;
    }
    std::string typeName = spec.substr(eq + 1);
    auto type = ir::programTypeFromName(typeName);
    if (!type || *type == ir::ProgramType::Unspec) {
      diags_.error("unknown program type '" + typeName + "' in --section-type",
                   {{{}, "use a kernel program type name such as xdp, sched_cls, sched_act or socket_filter"}});
      return;
    }
    result_.options.sectionTypes.push_back({spec.substr(0, eq), *type});
  }

  void unroll(const std::string &mode) {
    if (mode == "auto") result_.options.pipeline.unroll = passes::UnrollMode::Auto;
    else if (mode == "always") result_.options.pipeline.unroll = passes::UnrollMode::Always;
    else diags_.error("invalid value '" + mode + "' for --unroll", {{{}, "use --unroll=auto or --unroll=always"}});
  }

  void globals(const std::string &mode) {
    if (mode == "sections") result_.options.pipeline.globals = passes::GlobalsMode::Sections;
    else if (mode == "maps") result_.options.pipeline.globals = passes::GlobalsMode::Maps;
    else diags_.error("invalid value '" + mode + "' for --globals", {{{}, "use --globals=sections or --globals=maps"}});
  }

  void mapFormat(const std::string &format) {
    if (format == "btf") result_.options.pipeline.mapFormat = passes::MapFormat::Btf;
    else if (format == "legacy") result_.options.pipeline.mapFormat = passes::MapFormat::Legacy;
    else if (format == "iproute2") result_.options.pipeline.mapFormat = passes::MapFormat::Iproute2;
    else diags_.error("invalid value '" + format + "' for --map-format",
                      {{{}, "use --map-format=btf, --map-format=legacy or --map-format=iproute2"}});
  }

  std::optional<unsigned> positiveNumber(const std::string &option, const std::string &text) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
      diags_.error("invalid value '" + text + "' for " + option, {{{}, "expected a positive number of bytes"}});
      return std::nullopt;
    }
    return value;
  }

  void stackLimit(const std::string &text) {
    if (auto value = positiveNumber("--stack-limit", text))
      result_.options.pipeline.stackLimit = *value;
  }

  void spillLocals(const std::string &text) {
    if (auto value = positiveNumber("--spill-locals", text))
      result_.options.pipeline.spillThreshold = *value;
  }

  void printAfter(const std::string &name) {
    auto passes = passes::describePasses();
    bool known = name == "all" || std::any_of(passes.begin(), passes.end(), [&](auto &p) { return p.first == name; });
    if (!known) {
      std::string list;
      for (auto &[passName, summary] : passes)
        list += (list.empty() ? "" : ", ") + std::string(passName);
      diags_.error("unknown pass '" + name + "' in --print-after", {{{}, "passes: " + list + " (or 'all')"}});
      return;
    }
    result_.options.pipeline.printAfter.push_back(name);
  }

  void clangOption(const std::string &arg) {
    result_.options.clangArgs.push_back(arg);
    for (std::string_view option : kClangOptionsWithValue)
      if (arg == option)
        if (auto v = value(arg))
          result_.options.clangArgs.push_back(*v);
  }

  void finishTarget(std::optional<ir::IsaLevel> isa, std::optional<ir::KernelVersion> kernel) {
    ir::Target target = ir::Target::forKernel(kernel.value_or(ir::kDefaultTargetKernel));
    if (isa) {
      if (*isa > target.isa) {
        ir::KernelVersion needed = ir::Target::firstKernelFor(*isa);
        diags_.error("-mcpu=" + std::string(ir::isaName(*isa)) + " needs Linux " + needed.str() +
                         " or later, but the target kernel is " + target.kernel.str(),
                     {{{}, "raise --target-kernel to " + needed.str() + " or lower -mcpu"}});
      }
      target.isa = *isa;
    }
    result_.options.target = target;
    result_.options.isaExplicit = isa.has_value();
  }

  void checkInputs() {
    CompileOptions &o = result_.options;
    if (o.inputs.empty()) {
      diags_.error("no input files", {{{}, "usage: ebpfc [-c] prog.c -o prog.o (see ebpfc --help)"}});
      return;
    }
    if (o.inputs.size() > 1 && !o.output.empty())
      diags_.error("cannot specify -o when generating multiple output files");
    if (o.inputs.size() > 1 && o.depfile.enabled && !o.depfile.path.empty())
      diags_.error("cannot specify -MF when compiling multiple input files");
    if (!o.skeleton.empty() && o.inputs.size() > 1)
      diags_.error("cannot specify --skeleton when compiling multiple input files");
    if (!o.skeleton.empty() && o.emit != EmitKind::Object)
      diags_.error("--skeleton needs an object output", {{{}, "drop -S / --emit-ir"}});
  }

  static std::string quoteForMake(const std::string &target) {
    std::string out;
    for (char c : target) {
      if (c == '$') out += '$';
      else if (c == '#' || c == ' ') out += '\\';
      out += c;
    }
    return out;
  }

  std::span<const std::string> args_;
  ir::DiagnosticEngine &diags_;
  size_t index_ = 0;
  CommandLine result_;
};

} // namespace

ir::DiagnosticFormat diagnosticFormatOf(std::span<const std::string> args) {
  ir::DiagnosticFormat format = ir::DiagnosticFormat::Text;
  for (const std::string &arg : args)
    if (arg == "--diagnostics-format=json")
      format = ir::DiagnosticFormat::Json;
    else if (arg == "--diagnostics-format=text")
      format = ir::DiagnosticFormat::Text;
  return format;
}

bool colorRequested(std::span<const std::string> args, bool stderrIsTerminal) {
  bool color = stderrIsTerminal;
  for (const std::string &arg : args) {
    if (arg == "-fcolor-diagnostics" || arg == "-fdiagnostics-color" || arg == "-fdiagnostics-color=always")
      color = true;
    else if (arg == "-fno-color-diagnostics" || arg == "-fdiagnostics-color=never")
      color = false;
    else if (arg == "-fdiagnostics-color=auto")
      color = stderrIsTerminal;
  }
  return color;
}

std::optional<CommandLine> parseCommandLine(std::span<const std::string> args, ir::DiagnosticEngine &diags) {
  return Parser(args, diags).parse();
}

std::string versionText() {
  return "ebpfc " EBPFC_VERSION " (LLVM " LLVM_VERSION_STRING ")\n"
         "Target: bpfel; default target kernel " +
         ir::kDefaultTargetKernel.str() + " (-mcpu=" + std::string(ir::isaName(ir::Target{}.isa)) + ")\n";
}

std::string helpText() {
  std::string passList;
  for (auto &[name, summary] : passes::describePasses())
    passList += "                          " + std::string(name) + ": " + std::string(summary) + "\n";
  return R"(OVERVIEW: ebpfc - compile restricted C (and P4) to eBPF ELF objects

USAGE: ebpfc [options] <input>...

Inputs are .c (restricted C), .p4 (P4-16) and .s (LLVM BPF assembly) files.
Objects load with libbpf, bpftool, ip and tc unchanged.

OUTPUT
  -c                      Compile to an object file (the default)
  -o <file>               Write output to <file> ("-" for standard output);
                          default: the input's name with .o, .s or .ll
  -S                      Write assembly (LLVM BPF syntax); with -g, the C
                          source lines are interleaved as comments
  --emit-ir               Write LLVM IR after ebpfc's pass pipeline (.ll)
  -g                      Keep DWARF and BTF line info (.BTF and .BTF.ext are
                          always emitted: libbpf needs BTF for .maps)
  -O0 -O1 -O2 -O3 -Os -Oz Optimization level (default -O2)

TARGET
  --target-kernel=X.Y     Kernel the object must load on (default )" +
         ir::kDefaultTargetKernel.str() + R"(; "native"
                          for the running kernel). Sets the ISA level, bounded
                          loops (5.3+), global data (5.2+), helper availability
  -mcpu=v1|v2|v3|v4       ISA level (default: the highest the target kernel
                          verifies: v2 4.14+, v3 5.1+, v4 6.6+); "probe" asks
                          the running kernel
  --target=bpf            Accepted for clang compatibility (bpfel)
  --section-type=SEC=TYPE Treat functions in section SEC as programs of TYPE
                          (e.g. xdp, sched_cls) when SEC is not a libbpf name

PREPROCESSOR AND CLANG
  -I <dir> -D <macro>[=<v>] -U <macro> -include <file> -isystem <dir>
  -std=<std> -W<warning> -w -f<flag>
                          Passed to clang unchanged. The host's multiarch
                          include directory (for <asm/types.h>) is searched
                          last automatically
  -x c|p4|assembler       Input language, instead of the file extension

DEPENDENCIES (for Make and Ninja)
  -MD / -MMD              Write a depfile (-MMD leaves out system headers)
  -MF <file>              Depfile path (default: the output with .d)
  -MT <target>            Target name in the depfile (default: the output)
  -MQ <target>            Like -MT, quoting characters special to Make
  -MP                     Add a phony target for each header

USER-SPACE LOADERS
  --skeleton <file>       Also write <file> (NAME.skel.h), a C header that
                          embeds the object and declares struct NAME with its
                          programs, maps and global variables (typed, from
                          BTF) and NAME__open_and_load()/__attach()/
                          __destroy() over libbpf; build the loader with -lbpf

DIAGNOSTICS
  --diagnostics-format=text|json
                          clang-style text (default) or a JSON array on stderr
  -fcolor-diagnostics / -fno-color-diagnostics
  -Werror                 Treat warnings as errors

EBPF PASSES
  --unroll=auto|always    auto (default): loops the target kernel cannot verify
                          are unrolled (all loops before 5.3); always: unroll
                          every loop with a constant trip count
  --globals=sections|maps sections (default): .data/.bss/.rodata as libbpf
                          expects; maps: each global becomes a one-entry array
                          map, for loaders and kernels without global data
  --map-format=btf|legacy|iproute2
                          .maps with BTF (default), libbpf's old "maps"
                          section (struct bpf_map_def), or iproute2's
                          struct bpf_elf_map
  --stack-limit=<bytes>   Stack budget along the deepest call chain (512)
  --spill-locals[=<bytes>] Move locals of at least <bytes> (default 64) into
                          a per-CPU scratch map so the stack fits
  --stats[=text|json]     Per program: instructions, stack per function, maps

DEVELOPMENT
  --print-after=<pass>    Print the LLVM IR after a pass ("all" for every pass)
                          Passes, in pipeline order:
)" + passList + R"(
  --version               Print version information
  --help                  Print this help

EXIT STATUS
  0 on success; 1 when any error was reported (no output file is written).
)";
}

} // namespace ebpfc::driver

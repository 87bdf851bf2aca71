#include "driver/CommandLine.h"
#include "driver/Compiler.h"
#include "passes/Pipeline.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace ebpfc;
using namespace ebpfc::driver;

namespace {
struct Parsed {
  std::optional<CommandLine> commandLine;
  std::string diagnostics;
};

Parsed parse(std::vector<std::string> args) {
  char *buffer = nullptr;
  size_t size = 0;
  std::FILE *out = open_memstream(&buffer, &size);
  Parsed parsed;
  {
    ir::DiagnosticEngine diags(ir::DiagnosticFormat::Text, out);
    parsed.commandLine = parseCommandLine(args, diags);
  }
  std::fclose(out);
  parsed.diagnostics.assign(buffer, size);
  std::free(buffer);
  return parsed;
}
} // namespace

TEST(CommandLine, CcStyleCompile) {
  Parsed p = parse({"-c", "prog.c", "-o", "prog.o", "-O3", "-g"});
  ASSERT_TRUE(p.commandLine) << p.diagnostics;
  const CompileOptions &o = p.commandLine->options;
  EXPECT_EQ(o.inputs, std::vector<std::string>{"prog.c"});
  EXPECT_EQ(o.output, "prog.o");
  EXPECT_EQ(o.pipeline.optLevel, 3u);
  EXPECT_TRUE(o.debugInfo);
  EXPECT_EQ(o.emit, EmitKind::Object);
}

TEST(CommandLine, DefaultsAreDocumented) {
  Parsed p = parse({"prog.c"});
  ASSERT_TRUE(p.commandLine);
  const CompileOptions &o = p.commandLine->options;
  EXPECT_EQ(o.pipeline.optLevel, 2u);
  EXPECT_FALSE(o.debugInfo);
  EXPECT_EQ(o.target.kernel, ir::kDefaultTargetKernel);
  EXPECT_EQ(o.target.isa, ir::IsaLevel::V3);
  EXPECT_EQ(defaultOutputPath("dir/prog.c", o.emit), "prog.o");
  EXPECT_EQ(defaultOutputPath("prog.c", EmitKind::Assembly), "prog.s");
  EXPECT_EQ(defaultOutputPath("prog.c", EmitKind::LlvmIr), "prog.ll");
}

TEST(CommandLine, OptimizationLevels) {
  EXPECT_EQ(parse({"-O0", "a.c"}).commandLine->options.pipeline.optLevel, 0u);
  EXPECT_EQ(parse({"-O", "a.c"}).commandLine->options.pipeline.optLevel, 1u);
  auto os = parse({"-Os", "a.c"}).commandLine->options;
  EXPECT_EQ(os.pipeline.optLevel, 2u);
  EXPECT_EQ(os.pipeline.sizeLevel, 1u);
  EXPECT_EQ(parse({"-Oz", "a.c"}).commandLine->options.pipeline.sizeLevel, 2u);
  Parsed bad = parse({"-O7", "a.c"});
  EXPECT_FALSE(bad.commandLine);
  EXPECT_EQ(bad.diagnostics, "ebpfc: error: invalid optimization level '-O7'\n"
                             "note: use -O0, -O1, -O2, -O3, -Os or -Oz\n");
}

TEST(CommandLine, ClangOptionsPassThroughWithTheirValues) {
  Parsed p = parse({"-I", "inc", "-Iinc2", "-D", "X=1", "-UY", "-include", "cfg.h", "-std=gnu11",
                    "-Wall", "-isystem", "sys", "a.c"});
  ASSERT_TRUE(p.commandLine) << p.diagnostics;
  EXPECT_EQ(p.commandLine->options.clangArgs,
            (std::vector<std::string>{"-I", "inc", "-Iinc2", "-D", "X=1", "-UY", "-include", "cfg.h",
                                      "-std=gnu11", "-Wall", "-isystem", "sys"}));
  EXPECT_EQ(p.commandLine->options.inputs, std::vector<std::string>{"a.c"});
}

TEST(CommandLine, TargetKernelSetsIsaAndFeatures) {
  Parsed p = parse({"--target-kernel=4.19", "a.c"});
  ASSERT_TRUE(p.commandLine);
  EXPECT_EQ(p.commandLine->options.target.isa, ir::IsaLevel::V2);
  EXPECT_FALSE(p.commandLine->options.target.boundedLoops);
  EXPECT_EQ(parse({"--target-kernel=6.6", "a.c"}).commandLine->options.target.isa, ir::IsaLevel::V4);
  EXPECT_EQ(parse({"-mcpu=v1", "a.c"}).commandLine->options.target.isa, ir::IsaLevel::V1);
}

TEST(CommandLine, IsaAboveTargetKernelIsAnError) {
  Parsed p = parse({"--target-kernel=5.4", "-mcpu=v4", "a.c"});
  EXPECT_FALSE(p.commandLine);
  EXPECT_EQ(p.diagnostics, "ebpfc: error: -mcpu=v4 needs Linux 6.6 or later, but the target kernel is 5.4\n"
                           "note: raise --target-kernel to 6.6 or lower -mcpu\n");
}

TEST(CommandLine, BadValuesAreErrors) {
  EXPECT_EQ(parse({"--target-kernel=five", "a.c"}).diagnostics,
            "ebpfc: error: invalid kernel version 'five'\n"
            "note: write it as MAJOR.MINOR, e.g. --target-kernel=5.10, or 'native'\n");
  EXPECT_EQ(parse({"-mcpu=v9", "a.c"}).diagnostics,
            "ebpfc: error: unknown CPU 'v9' for target bpf\nnote: use -mcpu=v1, v2, v3, v4, generic or probe\n");
  EXPECT_EQ(parse({"--target=x86_64", "a.c"}).diagnostics,
            "ebpfc: error: unsupported target 'x86_64'\nnote: ebpfc compiles for --target=bpf only\n");
  EXPECT_EQ(parse({"--frobnicate", "a.c"}).diagnostics,
            "ebpfc: error: unknown option '--frobnicate'\nnote: run 'ebpfc --help' for the list of options\n");
  EXPECT_EQ(parse({"-o"}).diagnostics, "ebpfc: error: argument to '-o' is missing (expected 1 value)\n");
  EXPECT_EQ(parse({}).diagnostics,
            "ebpfc: error: no input files\nnote: usage: ebpfc [-c] prog.c -o prog.o (see ebpfc --help)\n");
  EXPECT_EQ(parse({"a.c", "b.c", "-o", "x.o"}).diagnostics,
            "ebpfc: error: cannot specify -o when generating multiple output files\n");
  std::string passList;
  for (auto &[name, summary] : passes::describePasses())
    passList += (passList.empty() ? "" : ", ") + std::string(name);
  EXPECT_EQ(parse({"--print-after=nonsense", "a.c"}).diagnostics,
            "ebpfc: error: unknown pass 'nonsense' in --print-after\nnote: passes: " + passList + " (or 'all')\n");
  EXPECT_NE(passList.find("optimize"), std::string::npos);
}

TEST(CommandLine, SectionTypes) {
  Parsed p = parse({"--section-type=xdp_drop=xdp", "a.c"});
  ASSERT_TRUE(p.commandLine);
  ASSERT_EQ(p.commandLine->options.sectionTypes.size(), 1u);
  EXPECT_EQ(p.commandLine->options.sectionTypes[0].section, "xdp_drop");
  EXPECT_EQ(p.commandLine->options.sectionTypes[0].type, ir::ProgramType::Xdp);
  EXPECT_EQ(parse({"--section-type=foo=bar", "a.c"}).diagnostics,
            "ebpfc: error: unknown program type 'bar' in --section-type\n"
            "note: use a kernel program type name such as xdp, sched_cls, sched_act or socket_filter\n");
}

TEST(CommandLine, DepfileFlags) {
  Parsed p = parse({"-MMD", "-MF", "out.d", "-MT", "custom", "-MQ", "a b$", "-MP", "a.c"});
  ASSERT_TRUE(p.commandLine);
  const DepfileOptions &d = p.commandLine->options.depfile;
  EXPECT_TRUE(d.enabled);
  EXPECT_FALSE(d.systemHeaders);
  EXPECT_TRUE(d.phonyTargets);
  EXPECT_EQ(d.path, "out.d");
  EXPECT_EQ(d.targets, (std::vector<std::string>{"custom", "a\\ b$$"}));
}

TEST(CommandLine, PassOptions) {
  Parsed p = parse({"--unroll=always", "--globals=maps", "--map-format=iproute2", "--stack-limit=256",
                    "--spill-locals", "--stats=json", "a.c"});
  ASSERT_TRUE(p.commandLine) << p.diagnostics;
  const passes::PipelineOptions &o = p.commandLine->options.pipeline;
  EXPECT_EQ(o.unroll, passes::UnrollMode::Always);
  EXPECT_EQ(o.globals, passes::GlobalsMode::Maps);
  EXPECT_EQ(o.mapFormat, passes::MapFormat::Iproute2);
  EXPECT_EQ(o.stackLimit, 256u);
  EXPECT_EQ(o.spillThreshold, 64u);
  EXPECT_EQ(o.stats, passes::StatsFormat::Json);
  EXPECT_EQ(parse({"--spill-locals=128", "a.c"}).commandLine->options.pipeline.spillThreshold, 128u);
  EXPECT_EQ(parse({"--stack-limit=0", "a.c"}).diagnostics,
            "ebpfc: error: invalid value '0' for --stack-limit\nnote: expected a positive number of bytes\n");
  EXPECT_EQ(parse({"--globals=heap", "a.c"}).diagnostics,
            "ebpfc: error: invalid value 'heap' for --globals\nnote: use --globals=sections or --globals=maps\n");
}

TEST(CommandLine, HelpAndVersion) {
  EXPECT_EQ(parse({"--help"}).commandLine->action, Action::Help);
  EXPECT_EQ(parse({"--version"}).commandLine->action, Action::Version);
  EXPECT_NE(helpText().find("--target-kernel=X.Y"), std::string::npos);
  EXPECT_NE(versionText().find("default target kernel 6.1"), std::string::npos);
}

TEST(CommandLine, DiagnosticFormatIsReadFirst) {
  std::vector<std::string> args{"--diagnostics-format=json", "a.c"};
  EXPECT_EQ(diagnosticFormatOf(args), ir::DiagnosticFormat::Json);
  EXPECT_TRUE(colorRequested(std::vector<std::string>{"-fcolor-diagnostics"}, false));
  EXPECT_FALSE(colorRequested(std::vector<std::string>{"-fno-color-diagnostics"}, true));
}

// End-to-end tests of the ebpfc command: outputs, exact diagnostics, exit
// status, and that failed compiles leave nothing behind.
#include "ObjectInspector.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace ebpfc::testing;

namespace {

const std::string kInputs = COMPILER_INPUTS;

CommandResult runEbpfc(std::vector<std::string> args, const std::string &cwd = "") {
  args.insert(args.begin(), EBPFC_PATH);
  return runCommand(args, cwd);
}

class Cli : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("cli"); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  std::string dir;
};

} // namespace

TEST_F(Cli, CompilesAnObjectWithBtfAndNoDwarfByDefault) {
  CommandResult r = runEbpfc({kInputs + "/features.c", "-o", path("f.o")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ObjectFacts facts = inspectObject(readFile(path("f.o")));
  ASSERT_TRUE(facts.valid) << facts.error;
  for (const char *section : {"xdp", "tc", ".text", ".maps", "license", ".BTF", ".BTF.ext", ".data", ".bss", ".rodata"})
    EXPECT_TRUE(facts.sections.count(section)) << section;
  EXPECT_FALSE(facts.sections.count(".debug_info"));
  EXPECT_TRUE(facts.functions.count("xdp_features"));
  EXPECT_TRUE(facts.functions.count("classify")) << "noinline subprogram must stay a BPF-to-BPF call";
}

TEST_F(Cli, DebugInfoKeepsDwarf) {
  ASSERT_EQ(runEbpfc({"-g", kInputs + "/minimal.c", "-o", path("m.o")}).exitCode, 0);
  ObjectFacts facts = inspectObject(readFile(path("m.o")));
  EXPECT_TRUE(facts.sections.count(".debug_info"));
  EXPECT_TRUE(facts.sections.count(".BTF.ext"));
}

TEST_F(Cli, OutputIsDeterministic) {
  ASSERT_EQ(runEbpfc({"-g", kInputs + "/features.c", "-o", path("a.o")}).exitCode, 0);
  ASSERT_EQ(runEbpfc({"-g", kInputs + "/features.c", "-o", path("b.o")}).exitCode, 0);
  EXPECT_EQ(readFile(path("a.o")), readFile(path("b.o")));
}

TEST_F(Cli, SameBytesAsClangWhenNoPassChangesAnything) {
  if (std::string(CLANG19_PATH).empty() || std::string(CLANG19_PATH).ends_with("NOTFOUND"))
    GTEST_SKIP() << "clang-19 not found";
  // Same working directory and relative input so DWARF's paths agree.
  std::filesystem::copy_file(kInputs + "/minimal.c", path("minimal.c"));
  ASSERT_EQ(runEbpfc({"-O2", "-g", "-mcpu=v3", "minimal.c", "-o", "ours.o"}, dir).exitCode, 0);
  CommandResult clang = runCommand({CLANG19_PATH, "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-idirafter",
                                    "/usr/include/x86_64-linux-gnu", "-c", "minimal.c", "-o", "clang.o"},
                                   dir);
  ASSERT_EQ(clang.exitCode, 0) << clang.err;
  EXPECT_TRUE(readFile(path("ours.o")) == readFile(path("clang.o")));
}

// clang-19 defaults to ISA v1; ebpfc picks the level per object and must
// never produce a longer function than clang's default does.
TEST_F(Cli, NoFunctionLongerThanClangDefault) {
  if (std::string(CLANG19_PATH).empty() || std::string(CLANG19_PATH).ends_with("NOTFOUND"))
    GTEST_SKIP() << "clang-19 not found";
  std::vector<std::string> sources{kInputs + "/features.c"};
  for (const auto &entry : std::filesystem::directory_iterator(std::string(EBPFC_SOURCE_DIR) + "/examples/c"))
    if (entry.path().extension() == ".c")
      sources.push_back(entry.path().string());
  for (const std::string &source : sources) {
    ASSERT_EQ(runEbpfc({"-O2", "-g", source, "-o", path("ours.o")}).exitCode, 0) << source;
    CommandResult clang = runCommand({CLANG19_PATH, "-O2", "-g", "-target", "bpf", "-idirafter",
                                      "/usr/include/x86_64-linux-gnu", "-c", source, "-o", path("clang.o")});
    ASSERT_EQ(clang.exitCode, 0) << clang.err;
    ObjectFacts ours = inspectObject(readFile(path("ours.o")));
    ObjectFacts theirs = inspectObject(readFile(path("clang.o")));
    for (const auto &[function, slots] : theirs.functionSlots)
      EXPECT_LE(ours.functionSlots[function], slots) << source << ": " << function;
  }
}

TEST_F(Cli, ExplicitCpuIsKept) {
  ASSERT_EQ(runEbpfc({"-mcpu=v3", "--emit-ir", kInputs + "/minimal.c", "-o", path("m.ll")}).exitCode, 0);
  EXPECT_NE(readFile(path("m.ll")).find("\"target-cpu\"=\"v3\""), std::string::npos);
}

TEST_F(Cli, DefaultOutputNameInWorkingDirectory) {
  ASSERT_EQ(runEbpfc({"-c", kInputs + "/minimal.c"}, dir).exitCode, 0);
  EXPECT_TRUE(fileExists(path("minimal.o")));
}

TEST_F(Cli, SyntaxErrorIsReportedLikeClangAndWritesNothing) {
  CommandResult r = runEbpfc({kInputs + "/syntax_error.c", "-o", path("s.o")});
  EXPECT_EQ(r.exitCode, 1);
  std::string file = kInputs + "/syntax_error.c";
  EXPECT_NE(r.err.find(file + ":2:8: error: expected parameter declarator\n"
                              "    2 | int f( { return 1 }\n"
                              "      |        ^\n"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fileExists(path("s.o")));
}

TEST_F(Cli, FailedCompileKeepsThePreviousOutput) {
  writeFile(path("keep.o"), "previous contents");
  EXPECT_EQ(runEbpfc({kInputs + "/syntax_error.c", "-o", path("keep.o")}).exitCode, 1);
  EXPECT_EQ(readFile(path("keep.o")), "previous contents");
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename(), "keep.o") << "left behind: " << entry.path();
}

TEST_F(Cli, MissingHeader) {
  CommandResult r = runEbpfc({kInputs + "/missing_header.c", "-o", path("x.o")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(kInputs + "/missing_header.c:2:10: fatal error: 'no_such_header.h' file not found"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fileExists(path("x.o")));
}

TEST_F(Cli, UnknownSectionType) {
  CommandResult r = runEbpfc({kInputs + "/unknown_section.c", "-o", path("x.o")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, kInputs + "/unknown_section.c:5:5: error: program 'drop_all' is in section 'xdp_drop', "
                             "which is not a known program section\n"
                             "    5 | int drop_all(struct xdp_md *ctx) { return XDP_DROP; }\n"
                             "      |     ^\n"
                             "note: did you mean 'xdp'?\n"
                             "note: libbpf derives the program type from the section name; use SEC(\"xdp\"), or "
                             "pass --section-type=xdp_drop=TYPE for loaders that are told the type (ip, tc)\n");
  EXPECT_FALSE(fileExists(path("x.o")));
  EXPECT_EQ(runEbpfc({"--section-type=xdp_drop=xdp", kInputs + "/unknown_section.c", "-o", path("x.o")}).exitCode, 0);
}

TEST_F(Cli, UnwritableOutput) {
  CommandResult r = runEbpfc({kInputs + "/minimal.c", "-o", path("no/such/dir/x.o")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "ebpfc: error: cannot open output file '" + path("no/such/dir/x.o") +
                       "': No such file or directory\n"
                       "note: check that the directory '" + path("no/such/dir") + "' exists and is writable\n");
  r = runEbpfc({kInputs + "/minimal.c", "-o", dir});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "ebpfc: error: cannot open output file '" + dir + "': it is a directory\n");
}

TEST_F(Cli, DevNullIsWrittenInPlace) {
  ASSERT_EQ(runEbpfc({kInputs + "/minimal.c", "-o", "/dev/null"}).exitCode, 0);
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
}

TEST_F(Cli, MissingInputFile) {
  CommandResult r = runEbpfc({path("absent.c"), "-o", path("x.o")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("no such file or directory: '" + path("absent.c") + "'"), std::string::npos) << r.err;
}

TEST_F(Cli, UnknownFileType) {
  writeFile(path("prog.txt"), "x");
  CommandResult r = runEbpfc({path("prog.txt")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "ebpfc: error: " + path("prog.txt") + ": unknown file type '.txt'\n"
                   "note: name C sources .c, P4 sources .p4 and assembly .s, or give the language with -x "
                   "c|p4|assembler\n");
}

TEST_F(Cli, JsonDiagnostics) {
  CommandResult r = runEbpfc({"--diagnostics-format=json", kInputs + "/unknown_section.c", "-o", path("x.o")});
  EXPECT_EQ(r.exitCode, 1);
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.front(), '[');
  EXPECT_NE(r.err.find("{\"severity\": \"error\", \"file\": \"" + kInputs +
                       "/unknown_section.c\", \"line\": 5, \"column\": 5, \"message\": \"program 'drop_all' is in "
                       "section 'xdp_drop', which is not a known program section\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("generated"), std::string::npos) << "no clang summary line in JSON output";
}

TEST_F(Cli, AssemblyListingInterleavesSource) {
  CommandResult r = runEbpfc({"-S", "-g", kInputs + "/minimal.c", "-o", "-"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("\t# 14 | __u64 *value = bpf_map_lookup_elem(&counter, &key);\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\tcall 1\n"), std::string::npos);
  // The listing assembles back into an object with the same program.
  writeFile(path("m.s"), r.out);
  ASSERT_EQ(runEbpfc({path("m.s"), "-o", path("m.o")}).exitCode, 0);
  EXPECT_TRUE(inspectObject(readFile(path("m.o"))).functions.count("count_packets"));
}

TEST_F(Cli, EmitIrAfterThePipeline) {
  CommandResult r = runEbpfc({"--emit-ir", kInputs + "/minimal.c", "-o", "-"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("define dso_local noundef i32 @count_packets(ptr"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("atomicrmw add"), std::string::npos);
}

TEST_F(Cli, PrintAfterDumpsIr) {
  CommandResult r = runEbpfc({"--print-after=optimize", kInputs + "/minimal.c", "-o", path("m.o")});
  ASSERT_EQ(r.exitCode, 0);
  EXPECT_NE(r.err.find("; *** IR after optimize ***"), std::string::npos);
}

TEST_F(Cli, AssemblyInput) {
  ASSERT_EQ(runEbpfc({kInputs + "/good_asm.s", "-o", path("g.o")}).exitCode, 0);
  ObjectFacts facts = inspectObject(readFile(path("g.o")));
  EXPECT_TRUE(facts.sections.count("xdp"));
  EXPECT_TRUE(facts.sections.count("license"));
  CommandResult r = runEbpfc({kInputs + "/bad_asm.s", "-o", path("b.o")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, kInputs + "/bad_asm.s:3:2: error: a symbol can only be the operand of a jump, a call or a "
                             "64-bit immediate load ('r1 = symbol ll')\n"
                             "    3 | \tr0 += bogus\n"
                             "      | \t^\n");
  EXPECT_FALSE(fileExists(path("b.o")));
}

TEST_F(Cli, Depfiles) {
  ASSERT_EQ(runEbpfc({"-MD", kInputs + "/minimal.c", "-o", path("m.o")}).exitCode, 0);
  // Make's line continuations fall where long paths put them: join the lines.
  auto joined = [](std::string text) {
    for (size_t at; (at = text.find("\\\n")) != std::string::npos;) {
      size_t end = at + 2;
      while (end < text.size() && text[end] == ' ')
        ++end;
      text.erase(at, end - at); // "a.o: \\\n  b.c" -> "a.o: b.c"
    }
    return text;
  };
  std::string depfile = joined(readFile(path("m.d")));
  EXPECT_EQ(depfile.rfind(path("m.o") + ": " + kInputs + "/minimal.c", 0), 0u) << depfile;
  EXPECT_NE(depfile.find("/usr/include/bpf/bpf_helpers.h"), std::string::npos);

  ASSERT_EQ(runEbpfc({"-MMD", "-MF", path("deps.d"), "-MT", "custom", kInputs + "/minimal.c", "-o", path("m.o")}).exitCode, 0);
  depfile = readFile(path("deps.d"));
  EXPECT_EQ(depfile, "custom: " + kInputs + "/minimal.c\n");
}

// <stdint.h> and <string.h> reach glibc's <gnu/stubs.h>, which wants
// stubs-32.h on BPF; without gcc-multilib ebpfc supplies it (in memory, so
// no depfile names it), with it the real one is used.
TEST_F(Cli, LibcHeadersWithoutMultilib) {
  writeFile(path("libc.c"), "#include <stdint.h>\n#include <string.h>\n#include <linux/bpf.h>\n"
                            "#include <bpf/bpf_helpers.h>\n"
                            "SEC(\"xdp\") int pass(struct xdp_md *ctx) { uint32_t v = XDP_PASS; return (int)v; }\n"
                            "char LICENSE[] SEC(\"license\") = \"GPL\";\n");
  CommandResult r = runEbpfc({"-MD", path("libc.c"), "-o", path("libc.o")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string depfile = readFile(path("libc.d"));
  EXPECT_NE(depfile.find("gnu/stubs.h"), std::string::npos) << depfile;
  EXPECT_EQ(depfile.find("ebpfc-builtin"), std::string::npos) << depfile;
}

TEST_F(Cli, VersionAndHelp) {
  CommandResult v = runEbpfc({"--version"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_EQ(v.out.rfind("ebpfc ", 0), 0u);
  CommandResult h = runEbpfc({"--help"});
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_NE(h.out.find("USAGE: ebpfc [options] <input>..."), std::string::npos);
}

// End-to-end properties of compiling P4 with ebpfc: per-packet state stays
// off the stack however large the headers, listings and line info show P4
// lines, output is deterministic, depfiles name the included files, and
// the model files are found without -I.
#include "runtime/kernel/KernelAvailability.h"
#include "tests/kernel/KernelCaseRunner.h"
#include "tests/support/Subprocess.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

using namespace ebpfc::testing;
namespace fs = std::filesystem;

namespace {

// A filter whose headers total `headers` * 64 bytes: far more than the
// 512-byte stack.
std::string largeProgram(unsigned headers) {
  std::string text = "#include <core.p4>\n#include <ebpf_model.p4>\n"
                     "header wide_t { bit<64> a; bit<64> b; bit<64> c; bit<64> d;"
                     " bit<64> e; bit<64> f; bit<64> g; bit<64> h; }\n"
                     "struct headers_t {\n";
  for (unsigned i = 0; i < headers; ++i)
    text += "  wide_t h" + std::to_string(i) + ";\n";
  text += "}\nparser P(packet_in p, out headers_t hdr) {\n  state start {\n";
  for (unsigned i = 0; i < headers; ++i)
    text += "    p.extract(hdr.h" + std::to_string(i) + ");\n";
  text += "    transition accept;\n  }\n}\n"
          "control F(inout headers_t hdr, out bool pass) {\n  headers_t copy;\n  apply {\n"
          "    copy = hdr;\n    pass = copy.h" + std::to_string(headers - 1) + ".a == hdr.h0.b;\n  }\n}\n"
          "ebpfFilter(P(), F()) main;\n";
  return text;
}

TEST(P4Compile, LargeHeadersStayOffTheStack) {
  std::string dir = makeTempDir("p4-large");
  std::string source = dir + "/large.p4", object = dir + "/large.o";
  writeFile(source, largeProgram(16)); // 1 KiB of headers, twice (a copy)
  CommandResult result = runCommand({EBPFC_PATH, "-O2", "-g", "--stats=json", source, "-o", object});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  nlohmann::json stats = nlohmann::json::parse(result.out);
  const auto &program = stats["programs"][0];
  EXPECT_LT(program["stack"].get<unsigned>(), 512u) << result.out;
  for (const auto &map : stats["maps"]) {
    if (map["name"] == "ebpfc_p4_scratch") {
      EXPECT_GE(map["value_size"].get<unsigned>(), 2u * 16 * 64) << result.out;
    }
  }
  std::string reason;
  if (!ebpfc::runtime::kernel::kernelAvailable(reason))
    GTEST_SKIP() << "the kernel engine is unavailable: " << reason;
  std::string error;
  EXPECT_TRUE(ebpfc::kerneltest::bpftoolLoadAll(EBPFC_BPFTOOL_PATH, object, error)) << error;
}

TEST(P4Compile, ListingShowsP4Lines) {
  std::string dir = makeTempDir("p4-listing");
  std::string listing = dir + "/router.s";
  CommandResult result = runCommand({EBPFC_PATH, "-O2", "-g", "-S", std::string(P4_EXAMPLES_DIR) + "/xdp_router.p4",
                                     "-o", listing});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::string text = readFile(listing);
  EXPECT_NE(text.find("# 24 | packet.extract(hdr.ipv4);"), std::string::npos) << text.substr(0, 4000);
  EXPECT_NE(text.find("# 34 | hdr.ipv4.ttl = hdr.ipv4.ttl - 1;"), std::string::npos);
}

TEST(P4Compile, SameInputSameBytes) {
  std::string dir = makeTempDir("p4-determinism");
  std::string source = std::string(P4_EXAMPLES_DIR) + "/xdp_dnat.p4";
  ASSERT_EQ(runCommand({EBPFC_PATH, "-O2", "-g", source, "-o", dir + "/a.o"}).exitCode, 0);
  ASSERT_EQ(runCommand({EBPFC_PATH, "-O2", "-g", source, "-o", dir + "/b.o"}).exitCode, 0);
  EXPECT_EQ(readFile(dir + "/a.o"), readFile(dir + "/b.o"));
}

TEST(P4Compile, DepfileNamesIncludedFiles) {
  std::string dir = makeTempDir("p4-depfile");
  std::string source = std::string(P4_EXAMPLES_DIR) + "/xdp_dec_ttl.p4";
  CommandResult result = runCommand({EBPFC_PATH, "-MD", "-MF", dir + "/out.d", source, "-o", dir + "/out.o"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::string depfile = readFile(dir + "/out.d");
  EXPECT_NE(depfile.find("headers.p4"), std::string::npos) << depfile;
  EXPECT_NE(depfile.find("xdp_model.p4"), std::string::npos) << depfile;
  result = runCommand({EBPFC_PATH, "-MMD", "-MF", dir + "/user.d", source, "-o", dir + "/out.o"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  depfile = readFile(dir + "/user.d");
  EXPECT_NE(depfile.find("headers.p4"), std::string::npos) << depfile;
  EXPECT_EQ(depfile.find("xdp_model.p4"), std::string::npos) << depfile;
}

TEST(P4Compile, PreprocessorDefinesFromTheCommandLine) {
  std::string dir = makeTempDir("p4-defines");
  writeFile(dir + "/defined.p4", "#include <core.p4>\n#include <xdp_model.p4>\n"
                                 "#ifndef VERDICT\n#error VERDICT is not defined\n#endif\n"
                                 "struct h_t {}\n"
                                 "parser P(packet_in p, out h_t h) { state start { transition accept; } }\n"
                                 "control S(inout h_t h, in xdp_input i, out xdp_output o) {\n"
                                 "  apply { o.output_action = xdp_action.VERDICT; o.output_port = 0; } }\n"
                                 "control D(in h_t h, packet_out p) { apply {} }\n"
                                 "xdp(P(), S(), D()) main;\n");
  CommandResult missing = runCommand({EBPFC_PATH, dir + "/defined.p4", "-o", dir + "/x.o"});
  EXPECT_NE(missing.exitCode, 0);
  EXPECT_NE(missing.err.find("VERDICT is not defined"), std::string::npos) << missing.err;
  CommandResult defined = runCommand({EBPFC_PATH, "-DVERDICT=XDP_TX", dir + "/defined.p4", "-o", dir + "/x.o"});
  EXPECT_EQ(defined.exitCode, 0) << defined.err;
}

TEST(P4Compile, JsonDiagnostics) {
  std::string dir = makeTempDir("p4-json");
  writeFile(dir + "/bad.p4", "const bit<8> x = y;\n");
  CommandResult result = runCommand({EBPFC_PATH, "--diagnostics-format=json", dir + "/bad.p4", "-o", dir + "/x.o"});
  EXPECT_NE(result.exitCode, 0);
  nlohmann::json diagnostics = nlohmann::json::parse(result.err);
  ASSERT_EQ(diagnostics.size(), 1u) << result.err;
  EXPECT_EQ(diagnostics[0]["message"], "use of undeclared identifier 'y'") << result.err;
  EXPECT_EQ(diagnostics[0]["line"], 1) << result.err;
  EXPECT_EQ(diagnostics[0]["column"], 18) << result.err;
}

} // namespace

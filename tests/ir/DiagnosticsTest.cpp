#include "ir/Diagnostics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

using namespace ebpfc::ir;

namespace {
// Captures what the engine prints.
struct Capture {
  char *buffer = nullptr;
  size_t size = 0;
  std::FILE *file = open_memstream(&buffer, &size);
  ~Capture() { std::free(buffer); }
  std::string text() { std::fflush(file); return std::string(buffer, size); }
};

std::string writeSource(const std::string &name, const std::string &text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}
} // namespace

TEST(Diagnostics, TextLooksLikeClang) {
  std::string path = writeSource("diag.c", "int a;\n\tint bad = x;\n");
  Capture out;
  {
    DiagnosticEngine diags(DiagnosticFormat::Text, out.file);
    diags.error({path, 2, 12}, "use of undeclared identifier 'x'", {{{}, "declare it first"}});
    EXPECT_EQ(diags.errorCount(), 1u);
  }
  EXPECT_EQ(out.text(), path + ":2:12: error: use of undeclared identifier 'x'\n"
                               "    2 | \tint bad = x;\n"
                               "      | \t          ^\n"
                               "note: declare it first\n");
  std::fclose(out.file);
}

TEST(Diagnostics, NoLocationUsesToolName) {
  Capture out;
  {
    DiagnosticEngine diags(DiagnosticFormat::Text, out.file, "ebpfvm");
    diags.error("cannot open 'x.o': No such file or directory");
  }
  EXPECT_EQ(out.text(), "ebpfvm: error: cannot open 'x.o': No such file or directory\n");
  std::fclose(out.file);
}

TEST(Diagnostics, WarningsAsErrors) {
  Capture out;
  DiagnosticEngine diags(DiagnosticFormat::Text, out.file);
  diags.warning({"f.c", 1, 1}, "w");
  EXPECT_EQ(diags.errorCount(), 0u);
  diags.setWarningsAsErrors(true);
  diags.warning({"f.c", 1, 1}, "w");
  EXPECT_EQ(diags.errorCount(), 1u);
  EXPECT_NE(out.text().find("f.c:1:1: error: w"), std::string::npos);
  std::fclose(out.file);
}

TEST(Diagnostics, JsonIsOneArray) {
  std::string path = writeSource("diag2.c", "x \"y\"\n");
  Capture out;
  {
    DiagnosticEngine diags(DiagnosticFormat::Json, out.file);
    diags.error({path, 1, 3}, "bad \"quote\"", {{{path, 1, 1}, "here"}});
    diags.warning({}, "global");
  }
  std::string json = out.text();
  EXPECT_EQ(json, "[\n {\"severity\": \"error\", \"file\": " + jsonQuote(path) +
                      ", \"line\": 1, \"column\": 3, \"message\": \"bad \\\"quote\\\"\", "
                      "\"source_line\": \"x \\\"y\\\"\", \"notes\": [{\"file\": " + jsonQuote(path) +
                      ", \"line\": 1, \"column\": 1, \"message\": \"here\"}]},\n"
                      " {\"severity\": \"warning\", \"file\": null, \"line\": 0, \"column\": 0, "
                      "\"message\": \"global\", \"source_line\": \"\", \"notes\": []}\n]\n");
  std::fclose(out.file);
}

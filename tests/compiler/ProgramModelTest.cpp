// The program model the C frontend reads from clang's output: programs with
// their types, BTF-defined maps with every attribute, the license.
#include "frontend/c/CFrontend.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace ebpfc;

namespace {
struct Compiled {
  frontend::CFrontendResult result;
  std::string diagnostics;
};

Compiled compileInput(const std::string &name, std::vector<ir::SectionTypeOverride> overrides = {}) {
  char *buffer = nullptr;
  size_t size = 0;
  std::FILE *out = open_memstream(&buffer, &size);
  Compiled compiled;
  {
    ir::DiagnosticEngine diags(ir::DiagnosticFormat::Json, out);
    frontend::CFrontendOptions options;
    options.inputFile = std::string(COMPILER_INPUTS) + "/" + name;
    options.sectionTypes = std::move(overrides);
    compiled.result = frontend::compileC(options, diags);
  }
  std::fclose(out);
  compiled.diagnostics.assign(buffer, size);
  std::free(buffer);
  return compiled;
}
} // namespace

TEST(ProgramModel, ProgramsAndTheirTypes) {
  Compiled c = compileInput("features.c");
  ASSERT_TRUE(c.result.module) << c.diagnostics;
  const ir::Module &m = *c.result.module;
  ASSERT_EQ(m.programs.size(), 2u);
  const ir::Program *xdp = m.findProgram("xdp_features");
  ASSERT_TRUE(xdp);
  EXPECT_EQ(xdp->section, "xdp");
  EXPECT_EQ(xdp->type, ir::ProgramType::Xdp);
  EXPECT_EQ(xdp->loc.line, 96u);
  const ir::Program *tc = m.findProgram("tc_features");
  ASSERT_TRUE(tc);
  EXPECT_EQ(tc->type, ir::ProgramType::SchedCls);
  EXPECT_EQ(m.findProgram("classify"), nullptr) << "a .text subprogram is not a program";
  EXPECT_EQ(m.license, "GPL");
}

TEST(ProgramModel, MapsFromBtfDefinitions) {
  Compiled c = compileInput("features.c");
  ASSERT_TRUE(c.result.module) << c.diagnostics;
  const ir::Module &m = *c.result.module;
  EXPECT_EQ(m.maps.size(), 8u);

  const ir::MapDef *flows = m.findMap("flows");
  ASSERT_TRUE(flows);
  EXPECT_EQ(flows->type, static_cast<uint32_t>(ir::MapType::Hash));
  EXPECT_EQ(flows->keySize, 12u);
  EXPECT_EQ(flows->valueSize, 8u);
  EXPECT_EQ(flows->maxEntries, 1024u);
  EXPECT_EQ(flows->flags, 1u); // BPF_F_NO_PREALLOC
  EXPECT_EQ(flows->keyType, "struct flow_key");
  EXPECT_EQ(flows->valueType, "__u64");

  const ir::MapDef *jumps = m.findMap("jumps");
  ASSERT_TRUE(jumps);
  EXPECT_EQ(jumps->keySize, 4u);
  EXPECT_EQ(jumps->valueSize, 4u);
  EXPECT_EQ(jumps->keyType, "");

  const ir::MapDef *outer = m.findMap("outer");
  ASSERT_TRUE(outer);
  EXPECT_EQ(outer->type, static_cast<uint32_t>(ir::MapType::ArrayOfMaps));
  ASSERT_TRUE(outer->inner);
  EXPECT_EQ(outer->inner->type, static_cast<uint32_t>(ir::MapType::Array));
  EXPECT_EQ(outer->inner->maxEntries, 4u);
  EXPECT_EQ(outer->inner->valueSize, 8u);

  const ir::MapDef *events = m.findMap("events");
  ASSERT_TRUE(events);
  EXPECT_EQ(events->maxEntries, 4096u);
  EXPECT_EQ(events->keySize, 0u);
  EXPECT_EQ(m.findMap("routes")->keySize, 8u);
  EXPECT_EQ(m.findMap("ports")->type, static_cast<uint32_t>(ir::MapType::Devmap));
}

TEST(ProgramModel, UnknownSectionIsAnErrorAtTheFunction) {
  Compiled c = compileInput("unknown_section.c");
  EXPECT_FALSE(c.result.module);
  EXPECT_NE(c.diagnostics.find("\"line\": 5, \"column\": 5, \"message\": \"program 'drop_all' is in section "
                               "'xdp_drop', which is not a known program section\""),
            std::string::npos)
      << c.diagnostics;
  EXPECT_NE(c.diagnostics.find("did you mean 'xdp'?"), std::string::npos);
}

TEST(ProgramModel, SectionTypeOverrideAcceptsUnknownSections) {
  Compiled c = compileInput("unknown_section.c", {{"xdp_drop", ir::ProgramType::Xdp}});
  ASSERT_TRUE(c.result.module) << c.diagnostics;
  EXPECT_EQ(c.result.module->programs.at(0).type, ir::ProgramType::Xdp);
}

TEST(ProgramModel, UnknownMapTypeIsAnError) {
  Compiled c = compileInput("bad_map.c");
  EXPECT_FALSE(c.result.module);
  EXPECT_NE(c.diagnostics.find("\"line\": 7, \"column\": 3, \"message\": \"map 'strange' has unknown type 77\""),
            std::string::npos)
      << c.diagnostics;
}

TEST(ProgramModel, DependenciesListEveryHeader) {
  char *buffer = nullptr;
  size_t size = 0;
  std::FILE *out = open_memstream(&buffer, &size);
  ir::DiagnosticEngine diags(ir::DiagnosticFormat::Text, out);
  frontend::CFrontendOptions options;
  options.inputFile = std::string(COMPILER_INPUTS) + "/minimal.c";
  options.collectDependencies = true;
  frontend::CFrontendResult result = frontend::compileC(options, diags);
  std::fclose(out);
  std::free(buffer);
  ASSERT_TRUE(result.module);
  ASSERT_FALSE(result.dependencies.empty());
  EXPECT_EQ(result.dependencies.front(), options.inputFile);
  bool helpers = false;
  for (const std::string &d : result.dependencies)
    helpers |= d.ends_with("bpf/bpf_helpers.h");
  EXPECT_TRUE(helpers);
}

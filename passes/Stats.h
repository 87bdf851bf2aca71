// --stats[=text|json]: per program its instruction count (with the
// subprograms it calls) and its stack along the deepest call chain, per
// function its instructions and stack depth, and the maps libbpf will
// create, printed to PassContext::statsStream as a table or as JSON.
#pragma once

#include "backend/ObjectAnalysis.h"
#include "passes/Pass.h"

namespace ebpfc::passes {

// The statistics of one compiled object in the requested format.
std::string formatStats(const ir::Module &module, const backend::ObjectAnalysis &analysis,
                        const PipelineOptions &options, StatsFormat format);

class Stats : public ObjectCheck {
public:
  std::string_view name() const override { return "stats"; }
  std::string_view summary() const override {
    return "--stats: instructions, stack and maps per program, as a table or JSON";
  }
  bool run(const ir::Module &module, const std::string &object, PassContext &context) override;
};

} // namespace ebpfc::passes

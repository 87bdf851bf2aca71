// The pass pipeline, declared in one place (Pipeline.cpp).
#pragma once

#include "passes/Pass.h"

#include <memory>
#include <utility>

namespace ebpfc::passes {

// The passes in the order they run for `options`.
std::vector<std::unique_ptr<Pass>> buildPipeline(const PipelineOptions &options);

// Runs the pipeline; prints the module after the passes named in
// options.printAfter. False as soon as a pass fails.
bool runPipeline(ir::Module &module, PassContext &context);

// Name and summary of every pass, for --help and --print-after checking.
std::vector<std::pair<std::string_view, std::string_view>> describePasses();

} // namespace ebpfc::passes

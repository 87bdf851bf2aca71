// The pass pipeline, declared in one place (Pipeline.cpp): IR passes that
// run before code generation, then checks on the generated object.
#pragma once

#include "passes/Pass.h"

#include <memory>
#include <utility>

namespace ebpfc::passes {

// The IR passes in the order they run for `options`.
std::vector<std::unique_ptr<Pass>> buildPipeline(const PipelineOptions &options);
// The object checks in the order they run for `options`.
std::vector<std::unique_ptr<ObjectCheck>> buildObjectChecks(const PipelineOptions &options);

// Runs the IR passes; prints the module after the passes named in
// options.printAfter. False as soon as a pass fails.
bool runPipeline(ir::Module &module, PassContext &context);
// Runs the object checks; false if any reported an error.
bool runObjectChecks(const ir::Module &module, const std::string &object, PassContext &context);

// Name and summary of every IR pass, for --help and --print-after checking.
std::vector<std::pair<std::string_view, std::string_view>> describePasses();

} // namespace ebpfc::passes

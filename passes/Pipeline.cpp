#include "passes/Pipeline.h"

#include "passes/GlobalsToMaps.h"
#include "passes/HelperAvailability.h"
#include "passes/InstructionLimit.h"
#include "passes/LoopCheck.h"
#include "passes/LoopMemExpand.h"
#include "passes/LoopPrepare.h"
#include "passes/LoopUnroll.h"
#include "passes/MapFormat.h"
#include "passes/OptimizePass.h"
#include "passes/RestrictedCCalls.h"
#include "passes/SpillLocals.h"
#include "passes/StackCheck.h"
#include "passes/Stats.h"

#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>

namespace ebpfc::passes {

// Every pass is always listed (so --print-after knows every name); a pass
// whose option is off does nothing.
std::vector<std::unique_ptr<Pass>> buildPipeline(const PipelineOptions &options) {
  std::vector<std::unique_ptr<Pass>> pipeline;
  pipeline.push_back(std::make_unique<LoopPreparePass>());
  pipeline.push_back(std::make_unique<OptimizePass>());
  pipeline.push_back(std::make_unique<LoopMemExpandPass>());
  pipeline.push_back(std::make_unique<LoopUnrollPass>());
  pipeline.push_back(std::make_unique<LoopCheckPass>());
  // Before map-format, which rewrites every map definition, the scratch map too.
  pipeline.push_back(std::make_unique<SpillLocals>());
  pipeline.push_back(std::make_unique<HelperAvailabilityPass>());
  pipeline.push_back(std::make_unique<MapFormatPass>());
  pipeline.push_back(std::make_unique<GlobalsToMapsPass>());
  pipeline.push_back(std::make_unique<RestrictedCCallsPass>());
  return pipeline;
}

std::vector<std::unique_ptr<ObjectCheck>> buildObjectChecks(const PipelineOptions &options) {
  std::vector<std::unique_ptr<ObjectCheck>> checks;
  checks.push_back(std::make_unique<StackCheck>());
  checks.push_back(std::make_unique<InstructionLimit>());
  checks.push_back(std::make_unique<Stats>());
  return checks;
}

std::vector<std::pair<std::string_view, std::string_view>> describePasses() {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (const auto &pass : buildPipeline(PipelineOptions{}))
    out.emplace_back(pass->name(), pass->summary());
  return out;
}

bool runObjectChecks(const ir::Module &module, const std::string &object, PassContext &context) {
  bool ok = true;
  for (const auto &check : buildObjectChecks(context.options))
    ok = check->run(module, object, context) && ok;
  return ok && !context.diags.hasErrors();
}

bool runPipeline(ir::Module &module, PassContext &context) {
  const std::vector<std::string> &printAfter = context.options.printAfter;
  for (const auto &pass : buildPipeline(context.options)) {
    bool ok = pass->run(module, context);
    bool print = std::find(printAfter.begin(), printAfter.end(), pass->name()) != printAfter.end() ||
                 std::find(printAfter.begin(), printAfter.end(), "all") != printAfter.end();
    if (print) {
      std::string text;
      llvm::raw_string_ostream stream(text);
      stream << "; *** IR after " << pass->name() << " ***\n";
      module.llvm().print(stream, nullptr);
      stream.flush();
      std::fputs(text.c_str(), context.printStream);
    }
    if (!ok || context.diags.hasErrors())
      return false;
  }
  return true;
}

} // namespace ebpfc::passes

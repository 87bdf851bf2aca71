#include "passes/StackCheck.h"

#include "backend/ObjectAnalysis.h"
#include "ir/SourceLocations.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/DebugProgramInstruction.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <cctype>

namespace ebpfc::passes {

namespace {

// The variable an alloca holds, from whichever debug record describes it:
// dbg.declare, or dbg.assign when assignment tracking is on (as with clang's
// -O1 and above), in intrinsic or record form.
const llvm::DILocalVariable *variableOf(const llvm::AllocaInst &alloca) {
  // The lookups take non-const pointers but only read.
  auto *value = const_cast<llvm::AllocaInst *>(&alloca);
  for (const llvm::DbgDeclareInst *declare : llvm::findDbgDeclares(value))
    return declare->getVariable();
  for (const llvm::DbgVariableRecord *record : llvm::findDVRDeclares(value))
    return record->getVariable();
  for (const llvm::DbgAssignIntrinsic *assign : llvm::at::getAssignmentMarkers(&alloca))
    return assign->getVariable();
  for (const llvm::DbgVariableRecord *record : llvm::at::getDVRAssignmentMarkers(&alloca))
    return record->getVariable();
  return nullptr;
}

std::string displayPath(const llvm::DIFile *file, const llvm::Function &function, const std::string &mainSource) {
  if (!file)
    return {};
  const llvm::DISubprogram *subprogram = function.getSubprogram();
  if (subprogram && subprogram->getFile() == file)
    return ir::locationOf(function, mainSource).file;
  llvm::SmallString<256> path(file->getFilename());
  if (!llvm::sys::path::is_absolute(path)) {
    path = file->getDirectory();
    llvm::sys::path::append(path, file->getFilename());
  }
  llvm::sys::path::remove_dots(path, true);
  return std::string(path);
}

// The column of `name` as a whole word in the declaration's line, so the
// caret points at the variable; 0 when it is not found (e.g. from a macro).
unsigned columnOf(const std::string &lineText, const std::string &name) {
  auto isWord = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = lineText.find(name); at != std::string::npos; at = lineText.find(name, at + 1)) {
    bool startsWord = at == 0 || !isWord(lineText[at - 1]);
    bool endsWord = at + name.size() >= lineText.size() || !isWord(lineText[at + name.size()]);
    if (startsWord && endsWord)
      return static_cast<unsigned>(at + 1);
  }
  return 0;
}

std::string joinChain(const backend::ObjectAnalysis &analysis, const std::vector<size_t> &frames) {
  std::string text;
  for (size_t f : frames)
    text += (text.empty() ? "" : " -> ") + analysis.functions[f].name;
  return text;
}

void reportStack(const ir::Program &program, const backend::ObjectAnalysis &analysis,
                 const backend::StackChain &chain, const ir::Module &module, PassContext &context) {
  unsigned limit = context.options.stackLimit;
  std::string message;
  std::vector<ir::DiagnosticNote> notes;
  const backend::ObjectFunction &entry = analysis.functions[chain.frames.front()];
  if (chain.frames.size() == 1) {
    message = "stack frame of program '" + program.name + "' is " + std::to_string(entry.stackDepth) + " bytes";
    if (entry.stackDepth <= limit)
      message += ", which the verifier counts as " + std::to_string(chain.depth);
  } else {
    message = "program '" + program.name + "' needs " + std::to_string(chain.depth) +
              " bytes of stack along the call chain " + joinChain(analysis, chain.frames);
    std::string frames;
    for (size_t f : chain.frames)
      frames += (frames.empty() ? "" : ", ") + analysis.functions[f].name + " " +
                std::to_string(backend::roundedFrameSize(analysis.functions[f].stackDepth));
    notes.push_back({{}, "frames in bytes, each rounded up to 32 as the verifier counts them: " + frames});
  }
  message += ", more than the limit of " + std::to_string(limit) + " bytes";

  std::vector<std::string> names;
  for (size_t f : chain.frames)
    names.push_back(analysis.functions[f].name);
  std::vector<StackLocal> locals = stackLocals(module.llvm(), names, module.sourceFile());
  if (locals.size() > 3)
    locals.resize(3);
  for (StackLocal &local : locals) {
    if (local.loc.valid() && local.loc.line)
      local.loc.column = columnOf(context.diags.lineOf(local.loc.file, local.loc.line), local.name);
    std::string note = "'" + local.name + "' is " + std::to_string(local.bytes) + " bytes";
    if (chain.frames.size() > 1)
      note += ", in the frame of '" + local.function + "'";
    if (!local.inlinedFrom.empty())
      note += " (inlined from '" + local.inlinedFrom + "')";
    notes.push_back({local.loc, note});
  }
  if (context.options.spillThreshold)
    notes.push_back({{}, "--spill-locals=" + std::to_string(*context.options.spillThreshold) +
                             " leaves smaller locals on the stack; lower the threshold, or make the locals smaller"});
  else
    notes.push_back({{}, "make large locals smaller, move them into a BPF_MAP_TYPE_PERCPU_ARRAY map, or compile "
                         "with --spill-locals to have ebpfc move locals of 64 bytes or more into one"});
  context.diags.error(program.loc, message, std::move(notes));
}

} // namespace

std::vector<StackLocal> stackLocals(const llvm::Module &module, const std::vector<std::string> &functions,
                                    const std::string &mainSource) {
  std::vector<StackLocal> locals;
  const llvm::DataLayout &layout = module.getDataLayout();
  for (const std::string &name : functions) {
    const llvm::Function *function = module.getFunction(name);
    if (!function || function->isDeclaration())
      continue;
    for (const llvm::BasicBlock &block : *function)
      for (const llvm::Instruction &instruction : block) {
        auto *alloca = llvm::dyn_cast<llvm::AllocaInst>(&instruction);
        if (!alloca)
          continue;
        const llvm::DILocalVariable *variable = variableOf(*alloca);
        std::optional<llvm::TypeSize> size = alloca->getAllocationSize(layout);
        if (!variable || !size || size->isScalable())
          continue;
        StackLocal local;
        local.name = variable->getName().str();
        local.function = name;
        const llvm::DISubprogram *declaredIn = variable->getScope() ? variable->getScope()->getSubprogram() : nullptr;
        if (declaredIn && declaredIn != function->getSubprogram())
          local.inlinedFrom = declaredIn->getName().str();
        local.bytes = size->getFixedValue();
        local.loc = {displayPath(variable->getFile(), *function, mainSource), variable->getLine(), 0};
        locals.push_back(std::move(local));
      }
  }
  std::stable_sort(locals.begin(), locals.end(),
                   [](const StackLocal &a, const StackLocal &b) { return a.bytes > b.bytes; });
  return locals;
}

bool StackCheck::run(const ir::Module &module, const std::string &object, PassContext &context) {
  std::string error;
  std::optional<backend::ObjectAnalysis> analysis = backend::analyzeObject(object, error);
  if (!analysis) {
    context.diags.error("cannot analyse the generated object: " + error);
    return false;
  }
  bool ok = true;
  for (const ir::Program &program : module.programs) {
    std::optional<size_t> entry = analysis->find(program.name);
    if (!entry)
      continue;
    backend::StackChain chain = analysis->deepestStackChain(*entry);
    if (chain.depth > context.options.stackLimit) {
      reportStack(program, *analysis, chain, module, context);
      ok = false;
    }
    std::vector<size_t> calls = analysis->deepestCallChain(*entry);
    if (calls.size() > backend::kMaxCallFrames) {
      context.diags.error(program.loc,
                          "program '" + program.name + "' calls " + std::to_string(calls.size()) +
                              " functions deep (" + joinChain(*analysis, calls) + "), more than the " +
                              std::to_string(backend::kMaxCallFrames) + " frames the verifier allows",
                          {{{}, "make some of these functions static __always_inline, or flatten the call chain"}});
      ok = false;
    }
  }
  return ok;
}

} // namespace ebpfc::passes

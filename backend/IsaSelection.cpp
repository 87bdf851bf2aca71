#include "backend/IsaSelection.h"

#include "ir/TargetMachine.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/DiagnosticHandler.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <map>

namespace ebpfc::backend {

namespace {

// Trial compilations report nothing: the real code generation afterwards
// reports whatever is wrong, once.
class SilentHandler : public llvm::DiagnosticHandler {
public:
  bool handleDiagnostics(const llvm::DiagnosticInfo &) override { return true; }
};

// Instruction count of every function symbol in an object (st_size / 8).
std::map<std::string, uint64_t> functionSizes(llvm::StringRef object) {
  std::map<std::string, uint64_t> sizes;
  auto buffer = llvm::MemoryBuffer::getMemBuffer(object, "trial", false);
  auto file = llvm::object::ObjectFile::createObjectFile(buffer->getMemBufferRef());
  if (!file) {
    llvm::consumeError(file.takeError());
    return sizes;
  }
  auto *elf = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(file->get());
  if (!elf)
    return sizes;
  for (const llvm::object::ELFSymbolRef symbol : elf->symbols()) {
    auto type = symbol.getType();
    auto name = symbol.getName();
    if (type && name && *type == llvm::object::SymbolRef::ST_Function)
      sizes[name->str()] = symbol.getSize() / 8;
    if (!type) llvm::consumeError(type.takeError());
    if (!name) llvm::consumeError(name.takeError());
  }
  return sizes;
}

// Code generation of a copy of `module` with every function at `level`.
std::map<std::string, uint64_t> trialSizes(const llvm::Module &module, ir::IsaLevel level, unsigned optLevel) {
  std::unique_ptr<llvm::Module> copy = llvm::CloneModule(module);
  for (llvm::Function &function : *copy)
    if (!function.isDeclaration())
      function.addFnAttr("target-cpu", ir::isaName(level));
  ir::Target target;
  target.isa = level;
  std::unique_ptr<llvm::TargetMachine> machine = ir::createTargetMachine(target, optLevel);
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  llvm::TargetLibraryInfoImpl libraryInfo(llvm::Triple(copy->getTargetTriple()));
  passes.add(new llvm::TargetLibraryInfoWrapperPass(libraryInfo));
  if (machine->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile, true))
    return {};
  passes.run(*copy);
  return functionSizes(buffer.str());
}

} // namespace

ir::IsaLevel chooseIsa(const ir::Module &module, ir::IsaLevel highest, unsigned optLevel) {
  if (highest == ir::IsaLevel::V1)
    return highest;
  // Trial compilations report nothing: the real code generation afterwards
  // reports whatever is wrong, once.
  llvm::LLVMContext &context = const_cast<ir::Module &>(module).context();
  std::unique_ptr<llvm::DiagnosticHandler> previous = context.getDiagnosticHandler();
  context.setDiagnosticHandler(std::make_unique<SilentHandler>());
  std::map<ir::IsaLevel, std::map<std::string, uint64_t>> sizes;
  for (unsigned level = 1; level <= static_cast<unsigned>(highest); ++level)
    sizes[static_cast<ir::IsaLevel>(level)] = trialSizes(module.llvm(), static_cast<ir::IsaLevel>(level), optLevel);
  context.setDiagnosticHandler(std::move(previous));

  const std::map<std::string, uint64_t> &baseline = sizes[ir::IsaLevel::V1];
  ir::IsaLevel chosen = ir::IsaLevel::V1;
  uint64_t chosenTotal = UINT64_MAX;
  for (const auto &[level, functions] : sizes) {
    if (functions.size() != baseline.size())
      continue; // the trial failed; the level is not a candidate
    uint64_t total = 0;
    bool noLonger = true;
    for (const auto &[name, size] : functions) {
      auto base = baseline.find(name);
      noLonger = noLonger && base != baseline.end() && size <= base->second;
      total += size;
    }
    if (noLonger && total <= chosenTotal) {
      chosen = level;
      chosenTotal = total;
    }
  }
  return chosen;
}

void setIsa(ir::Module &module, ir::IsaLevel level) {
  module.target.isa = level;
  for (llvm::Function &function : module.llvm())
    if (!function.isDeclaration())
      function.addFnAttr("target-cpu", ir::isaName(level));
}

} // namespace ebpfc::backend

#include "backend/Codegen.h"

#include "backend/AsmListing.h"
#include "backend/DwarfStripper.h"
#include "ir/LlvmDiagnostics.h"
#include "ir/TargetMachine.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

namespace ebpfc::backend {

std::optional<std::string> generate(ir::Module &module, llvm::TargetMachine &machine, OutputKind kind,
                                    const CodegenOptions &options, ir::DiagnosticEngine &diags) {
  ir::LlvmDiagnosticRoute route(module.context(), diags);
  ir::prepareModule(module.llvm(), machine);
  machine.Options.MCOptions.AsmVerbose = kind == OutputKind::Assembly;

  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  llvm::TargetLibraryInfoImpl libraryInfo(llvm::Triple(module.llvm().getTargetTriple()));
  passes.add(new llvm::TargetLibraryInfoWrapperPass(libraryInfo));
  auto fileType = kind == OutputKind::Object ? llvm::CodeGenFileType::ObjectFile
                                             : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(passes, stream, nullptr, fileType, /*DisableVerify=*/true)) {
    diags.error("the LLVM BPF target cannot emit this kind of file");
    return std::nullopt;
  }
  passes.run(module.llvm());
  if (diags.hasErrors())
    return std::nullopt;

  std::string output(buffer.str());
  if (kind == OutputKind::Object && !options.keepDwarf)
    return stripDwarf(output, diags);
  if (kind == OutputKind::Assembly && options.sourceComments)
    return annotateWithSource(output, diags);
  return output;
}

} // namespace ebpfc::backend

#include "backend/DwarfStripper.h"

#include <llvm/ObjCopy/CommonConfig.h>
#include <llvm/ObjCopy/ConfigManager.h>
#include <llvm/ObjCopy/ObjCopy.h>
#include <llvm/Object/Binary.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

namespace ebpfc::backend {

std::optional<std::string> stripDwarf(const std::string &object, ir::DiagnosticEngine &diags) {
  std::unique_ptr<llvm::MemoryBuffer> input =
      llvm::MemoryBuffer::getMemBuffer(object, "object", /*RequiresNullTerminator=*/false);
  llvm::Expected<std::unique_ptr<llvm::object::Binary>> binary = llvm::object::createBinary(*input);
  if (!binary) {
    diags.error("cannot read the generated object: " + llvm::toString(binary.takeError()));
    return std::nullopt;
  }
  llvm::objcopy::ConfigManager config;
  config.Common.StripDebug = true;
  std::string output;
  llvm::raw_string_ostream stream(output);
  if (llvm::Error error = llvm::objcopy::executeObjcopyOnBinary(config, **binary, stream)) {
    diags.error("cannot remove DWARF from the object: " + llvm::toString(std::move(error)));
    return std::nullopt;
  }
  stream.flush();
  return output;
}

} // namespace ebpfc::backend

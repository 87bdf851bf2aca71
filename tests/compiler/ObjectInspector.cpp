#include "ObjectInspector.h"

#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

namespace ebpfc::testing {

ObjectFacts inspectObject(const std::string &bytes) {
  ObjectFacts facts;
  auto buffer = llvm::MemoryBuffer::getMemBuffer(bytes, "object", false);
  auto object = llvm::object::ObjectFile::createObjectFile(buffer->getMemBufferRef());
  if (!object) {
    facts.error = llvm::toString(object.takeError());
    return facts;
  }
  for (const llvm::object::SectionRef &section : (*object)->sections())
    if (auto name = section.getName())
      facts.sections.insert(name->str());
    else
      llvm::consumeError(name.takeError());
  for (const llvm::object::SymbolRef &symbol : (*object)->symbols()) {
    auto type = symbol.getType();
    auto name = symbol.getName();
    if (type && name && *type == llvm::object::SymbolRef::ST_Function) {
      facts.functions.insert(name->str());
      facts.functionSlots[name->str()] = llvm::object::ELFSymbolRef(symbol).getSize() / 8;
    }
    if (!type) llvm::consumeError(type.takeError());
    if (!name) llvm::consumeError(name.takeError());
  }
  facts.valid = true;
  return facts;
}

} // namespace ebpfc::testing

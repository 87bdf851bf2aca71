// ir::Module: the LLVM module a frontend produced plus the eBPF program model
// (programs, maps, license, target) that passes and the backend read and
// rewrite.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/MapType.h"
#include "ir/ProgramType.h"
#include "ir/Target.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class Function;
class GlobalVariable;
} // namespace llvm

namespace ebpfc::ir {

struct Program {
  std::string name;    // entry function
  std::string section; // ELF section, e.g. "xdp" or "tc"
  ProgramType type = ProgramType::Unspec;
  uint32_t expectedAttachType = 0;
  SourceLocation loc;
};

// A map as libbpf will create it. Values are those of the BTF definition
// (`__uint(type, ...)` etc.); 0 where the definition leaves a field out.
struct MapDef {
  std::string name;
  uint32_t type = 0; // ir::MapType value as written (validated by findMapType)
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t maxEntries = 0;
  uint32_t flags = 0;
  uint32_t pinning = 0;
  uint32_t numaNode = 0;
  uint64_t mapExtra = 0;
  std::string keyType;   // C type name, "" when the map has no key type
  std::string valueType; // C type name
  std::unique_ptr<MapDef> inner; // template of map-in-map values
  SourceLocation loc;
};

class Module {
public:
  Module(std::unique_ptr<llvm::LLVMContext> context, std::unique_ptr<llvm::Module> module,
         Target target, std::string sourceFile);
  ~Module();
  Module(Module &&) noexcept;

  llvm::Module &llvm() { return *module_; }
  const llvm::Module &llvm() const { return *module_; }
  llvm::LLVMContext &context() { return *context_; }

  const std::string &sourceFile() const { return sourceFile_; }
  // Swaps in another LLVM module of the same context (e.g. a copy taken
  // before code generation changed this one).
  void replaceLlvmModule(std::unique_ptr<llvm::Module> module);

  Target target;
  std::vector<Program> programs;
  std::vector<MapDef> maps;
  std::string license;    // contents of the "license" section, "" if absent
  bool optimized = false; // the optimization pipeline has run

  const Program *findProgram(const std::string &function) const;
  const MapDef *findMap(const std::string &name) const;

private:
  std::unique_ptr<llvm::LLVMContext> context_;
  std::unique_ptr<llvm::Module> module_;
  std::string sourceFile_;
};

// Section names a user mapped to a program type explicitly
// (--section-type=NAME=TYPE), for loaders that are told the type themselves.
struct SectionTypeOverride {
  std::string section;
  ProgramType type;
};

// Fills programs, maps and license from an LLVM module that follows libbpf's
// conventions: functions in named sections are programs, globals in ".maps"
// are BTF-defined maps (read from debug info), the "license" global is the
// license. Reports what libbpf would reject (unknown section names, map
// definitions it cannot read) and returns false on any error.
bool readProgramModel(Module &module, DiagnosticEngine &diags,
                      const std::vector<SectionTypeOverride> &overrides = {});

} // namespace ebpfc::ir

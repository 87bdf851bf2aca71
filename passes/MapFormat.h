// map-format: runs after "optimize" and writes map definitions the way
// --map-format asks:
//  - btf (default): BTF-defined maps in ".maps", as clang and libbpf do;
//    nothing changes.
//  - legacy: a "maps" section with one libbpf `struct bpf_map_def` per map
//    ({type, key_size, value_size, max_entries, map_flags}, 20 bytes), for
//    loaders that predate BTF-defined maps.
//  - iproute2: a "maps" section with one iproute2 `struct bpf_elf_map` per
//    map ({type, size_key, size_value, max_elem, flags, id, pinning,
//    inner_id, inner_idx}, 36 bytes), which `ip` and `tc` load; pinning by
//    name becomes PIN_GLOBAL_NS (/sys/fs/bpf/tc/globals/NAME).
// Each definition is a global symbol named after the map, with debug info
// (so BTF describes it as struct bpf_map_def / struct bpf_elf_map).
//
// Where global data sections cannot be loaded (legacy and iproute2 formats,
// or a target kernel before 5.2), the format strings of bpf_trace_printk and
// bpf_trace_vprintk, which clang puts into .rodata, are built on the stack
// before each call instead.
//
// Definitions legacy layouts cannot express (map-in-map, pinning in
// bpf_map_def, NUMA nodes, map_extra, initial prog-array slots, map types
// whose key and value need BTF) are errors at the map's definition.
#pragma once

#include "passes/Pass.h"

#include <memory>

namespace llvm {
class DIBuilder;
class DICompileUnit;
class DIType;
class GlobalVariable;
} // namespace llvm

namespace ebpfc::passes {

class MapFormatPass : public Pass {
public:
  std::string_view name() const override { return "map-format"; }
  std::string_view summary() const override {
    return "writes maps as --map-format asks (BTF, libbpf's legacy bpf_map_def, iproute2's bpf_elf_map)";
  }
  bool run(ir::Module &module, PassContext &context) override;
};

// Whether the object cannot use global data sections (.data/.bss/.rodata):
// a legacy map format, whose loaders predate them, or a target kernel
// before 5.2.
bool globalDataUnavailable(const ir::Module &module, const PipelineOptions &options);

// Writes map definitions into the module in one format; globals-to-maps
// defines its maps through it too. Debug info is finalized on destruction.
class MapDefinitionWriter {
public:
  MapDefinitionWriter(ir::Module &module, MapFormat format, ir::DiagnosticEngine &diags);
  ~MapDefinitionWriter();
  MapDefinitionWriter(const MapDefinitionWriter &) = delete;
  MapDefinitionWriter &operator=(const MapDefinitionWriter &) = delete;

  // Defines `map`, declared at source line `line`. `keyType`/`valueType`
  // describe key and value for BTF definitions (ignored by legacy formats).
  // Returns the new global, or null after reporting why the format cannot
  // express the map.
  llvm::GlobalVariable *define(const ir::MapDef &map, llvm::DIType *keyType, llvm::DIType *valueType,
                               unsigned line);

  // For building key and value descriptions.
  llvm::DIBuilder &debugInfo() { return *debugInfo_; }
  llvm::DICompileUnit *compileUnit() const { return compileUnit_; }
  llvm::DIType *unsignedIntType();
  llvm::DIType *byteArrayType(uint64_t size);

private:
  llvm::GlobalVariable *defineBtf(const ir::MapDef &map, llvm::DIType *keyType, llvm::DIType *valueType,
                                  unsigned line);
  llvm::GlobalVariable *defineLegacy(const ir::MapDef &map, unsigned line);
  bool expressible(const ir::MapDef &map);

  ir::Module &module_;
  MapFormat format_;
  ir::DiagnosticEngine &diags_;
  llvm::DICompileUnit *compileUnit_;
  std::unique_ptr<llvm::DIBuilder> debugInfo_;
  llvm::DIType *unsignedInt_ = nullptr;
  llvm::DIType *legacyDefinitionType_ = nullptr;
};

} // namespace ebpfc::passes

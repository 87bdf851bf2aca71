#include "passes/MapFormat.h"

#include "ir/MapType.h"
#include "passes/HelperAvailability.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>

#include <map>
#include <set>

namespace ebpfc::passes {

namespace {

// BPF_FUNC_trace_printk and BPF_FUNC_trace_vprintk: the format is argument 0.
constexpr uint64_t kTracePrintk = 6;
constexpr uint64_t kTraceVprintk = 177;

// libbpf's LIBBPF_PIN_BY_NAME and iproute2's PIN_GLOBAL_NS.
constexpr uint32_t kLibbpfPinByName = 1;
constexpr uint32_t kIproute2PinGlobalNs = 2;

bool isPrintkFormatUse(const llvm::Use &use) {
  auto *call = llvm::dyn_cast<llvm::CallBase>(use.getUser());
  if (!call || use.getOperandNo() != 0)
    return false;
  std::optional<uint64_t> id = helperIdOf(*call);
  return id && (*id == kTracePrintk || *id == kTraceVprintk);
}

// Stores `bytes` at `base` in little-endian pieces of 8, 4, 2 and 1 bytes.
void storeBytes(llvm::IRBuilder<> &builder, llvm::Value *base, llvm::StringRef bytes) {
  uint64_t offset = 0;
  for (unsigned width : {8u, 4u, 2u, 1u}) {
    for (; bytes.size() - offset >= width; offset += width) {
      uint64_t value = 0;
      for (unsigned i = 0; i < width; ++i)
        value |= uint64_t(uint8_t(bytes[offset + i])) << (8 * i);
      llvm::Value *at = builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), base, offset);
      builder.CreateAlignedStore(builder.getIntN(8 * width, value), at, llvm::Align(width));
    }
  }
}

// Builds each bpf_trace_printk/bpf_trace_vprintk format string on the stack
// right before the call, so the object needs no .rodata.
void movePrintkFormatsToStack(ir::Module &module) {
  std::vector<llvm::GlobalVariable *> formats;
  for (llvm::GlobalVariable &global : module.llvm().globals()) {
    auto *text = global.hasInitializer()
                     ? llvm::dyn_cast<llvm::ConstantDataSequential>(global.getInitializer())
                     : nullptr;
    if (global.isConstant() && text && text->getElementType()->isIntegerTy(8) && !global.use_empty() &&
        llvm::all_of(global.uses(), isPrintkFormatUse))
      formats.push_back(&global);
  }
  for (llvm::GlobalVariable *format : formats) {
    llvm::StringRef bytes = llvm::cast<llvm::ConstantDataSequential>(format->getInitializer())->getRawDataValues();
    std::map<llvm::Function *, llvm::AllocaInst *> slots;
    for (llvm::Use &use : llvm::make_early_inc_range(format->uses())) {
      auto *call = llvm::cast<llvm::CallBase>(use.getUser());
      llvm::Function *function = call->getFunction();
      llvm::AllocaInst *&slot = slots[function];
      if (!slot) {
        llvm::IRBuilder<> entry(&*function->getEntryBlock().getFirstInsertionPt());
        slot = entry.CreateAlloca(llvm::ArrayType::get(entry.getInt8Ty(), bytes.size()), nullptr,
                                  format->getName() + ".stack");
        slot->setAlignment(llvm::Align(8));
      }
      llvm::IRBuilder<> builder(call);
      builder.SetCurrentDebugLocation(call->getDebugLoc());
      storeBytes(builder, slot, bytes);
      use.set(slot);
    }
    format->eraseFromParent();
  }
}

std::string mapTypeName(uint32_t type) {
  const ir::MapTypeInfo *info = ir::findMapType(type);
  return info ? std::string(info->enumName) : std::to_string(type);
}

std::string formatName(MapFormat format) {
  return format == MapFormat::Iproute2 ? "--map-format=iproute2" : "--map-format=legacy";
}

void removeGlobalDebugInfo(llvm::Module &module, const std::set<llvm::Metadata *> &expressions) {
  if (expressions.empty())
    return;
  for (llvm::DICompileUnit *unit : module.debug_compile_units()) {
    llvm::SmallVector<llvm::Metadata *, 16> kept;
    for (llvm::DIGlobalVariableExpression *expression : unit->getGlobalVariables())
      if (!expressions.count(expression))
        kept.push_back(expression);
    unit->replaceGlobalVariables(llvm::MDTuple::get(module.getContext(), kept));
  }
}

} // namespace

bool globalDataUnavailable(const ir::Module &module, const PipelineOptions &options) {
  return options.mapFormat != MapFormat::Btf || !module.target.globalData;
}

MapDefinitionWriter::MapDefinitionWriter(ir::Module &module, MapFormat format, ir::DiagnosticEngine &diags)
    : module_(module), format_(format), diags_(diags),
      compileUnit_(module.llvm().debug_compile_units_begin() == module.llvm().debug_compile_units_end()
                       ? nullptr
                       : *module.llvm().debug_compile_units_begin()),
      debugInfo_(std::make_unique<llvm::DIBuilder>(module.llvm(), /*AllowUnresolved=*/true, compileUnit_)) {}

MapDefinitionWriter::~MapDefinitionWriter() { debugInfo_->finalize(); }

llvm::DIType *MapDefinitionWriter::unsignedIntType() {
  if (!unsignedInt_)
    unsignedInt_ = debugInfo_->createBasicType("unsigned int", 32, llvm::dwarf::DW_ATE_unsigned);
  return unsignedInt_;
}

llvm::DIType *MapDefinitionWriter::byteArrayType(uint64_t size) {
  llvm::DIType *byte = debugInfo_->createBasicType("unsigned char", 8, llvm::dwarf::DW_ATE_unsigned_char);
  return debugInfo_->createArrayType(size * 8, 8, byte,
                                     debugInfo_->getOrCreateArray({debugInfo_->getOrCreateSubrange(0, size)}));
}

bool MapDefinitionWriter::expressible(const ir::MapDef &map) {
  if (format_ == MapFormat::Btf)
    return true;
  std::string where = "a legacy \"maps\" section (" + formatName(format_) + ")";
  auto fail = [&](std::string message, std::string fix) {
    diags_.error(map.loc, std::move(message), {{{}, std::move(fix)}});
    return false;
  };
  auto type = static_cast<ir::MapType>(map.type);
  if (map.inner)
    return fail("map '" + map.name + "' is a map of maps, which " + where + " cannot describe",
                "keep --map-format=btf for maps of maps");
  if (type == ir::MapType::SkStorage || type == ir::MapType::StructOps || type == ir::MapType::InodeStorage ||
      type == ir::MapType::TaskStorage)
    return fail("map '" + map.name + "' of type " + mapTypeName(map.type) +
                    " needs BTF for its key and value, which " + where + " does not carry",
                "keep --map-format=btf for this map");
  if (map.numaNode || map.mapExtra)
    return fail("map '" + map.name + "' sets " + (map.numaNode ? "numa_node" : "map_extra") + ", which " + where +
                    " has no field for",
                "drop the field, or keep --map-format=btf");
  if (map.pinning && format_ == MapFormat::Legacy)
    return fail("map '" + map.name + "' is pinned, but libbpf's struct bpf_map_def has no pinning field",
                "use --map-format=iproute2, whose struct bpf_elf_map pins by name, or pin the map from user space");
  if (map.pinning && map.pinning != kLibbpfPinByName)
    return fail("map '" + map.name + "' has pinning " + std::to_string(map.pinning) +
                    ", which iproute2's bpf_elf_map cannot express",
                "use __uint(pinning, LIBBPF_PIN_BY_NAME) (pinned as /sys/fs/bpf/tc/globals/" + map.name + ")");
  return true;
}

llvm::GlobalVariable *MapDefinitionWriter::define(const ir::MapDef &map, llvm::DIType *keyType,
                                                  llvm::DIType *valueType, unsigned line) {
  if (!expressible(map))
    return nullptr;
  return format_ == MapFormat::Btf ? defineBtf(map, keyType, valueType, line) : defineLegacy(map, line);
}

llvm::GlobalVariable *MapDefinitionWriter::defineLegacy(const ir::MapDef &map, unsigned line) {
  bool iproute2 = format_ == MapFormat::Iproute2;
  std::vector<uint32_t> fields{map.type, map.keySize, map.valueSize, map.maxEntries, map.flags};
  std::vector<const char *> names{"type", "key_size", "value_size", "max_entries", "map_flags"};
  if (iproute2) {
    // {id, pinning, inner_id, inner_idx}: no ids, as no map is a map of maps.
    fields.insert(fields.end(), {0, map.pinning ? kIproute2PinGlobalNs : 0, 0, 0});
    names = {"type", "size_key", "size_value", "max_elem", "flags", "id", "pinning", "inner_id", "inner_idx"};
  }
  const char *structName = iproute2 ? "bpf_elf_map" : "bpf_map_def";

  llvm::LLVMContext &context = module_.context();
  llvm::StructType *type = llvm::StructType::getTypeByName(context, std::string("struct.") + structName);
  if (!type)
    type = llvm::StructType::create(
        context, std::vector<llvm::Type *>(fields.size(), llvm::Type::getInt32Ty(context)),
        std::string("struct.") + structName);
  std::vector<llvm::Constant *> values;
  for (uint32_t field : fields)
    values.push_back(llvm::ConstantInt::get(llvm::Type::getInt32Ty(context), field));
  auto *global = new llvm::GlobalVariable(module_.llvm(), type, /*isConstant=*/false,
                                          llvm::GlobalValue::ExternalLinkage,
                                          llvm::ConstantStruct::get(type, values), map.name);
  global->setSection("maps");
  global->setAlignment(llvm::Align(4));
  global->setDSOLocal(true);

  if (compileUnit_) {
    if (!legacyDefinitionType_) {
      std::vector<llvm::Metadata *> members;
      for (size_t i = 0; i < names.size(); ++i)
        members.push_back(debugInfo_->createMemberType(compileUnit_, names[i], compileUnit_->getFile(), 0, 32, 32,
                                                       32 * i, llvm::DINode::FlagZero, unsignedIntType()));
      legacyDefinitionType_ = debugInfo_->createStructType(
          compileUnit_, structName, compileUnit_->getFile(), 0, 32 * names.size(), 32, llvm::DINode::FlagZero,
          nullptr, debugInfo_->getOrCreateArray(members));
    }
    global->addDebugInfo(debugInfo_->createGlobalVariableExpression(
        compileUnit_, map.name, "", compileUnit_->getFile(), line, legacyDefinitionType_, /*IsLocalToUnit=*/false));
  }
  return global;
}

llvm::GlobalVariable *MapDefinitionWriter::defineBtf(const ir::MapDef &map, llvm::DIType *keyType,
                                                     llvm::DIType *valueType, unsigned line) {
  if (!compileUnit_) {
    diags_.error(map.loc, "map '" + map.name + "' needs debug information to be BTF-defined",
                 {{{}, "compile with debug information, or use --map-format=legacy"}});
    return nullptr;
  }
  llvm::DIFile *file = compileUnit_->getFile();
  llvm::DIType *intType = debugInfo_->createBasicType("int", 32, llvm::dwarf::DW_ATE_signed);
  std::vector<llvm::Metadata *> members;
  auto member = [&](const char *name, llvm::DIType *pointee) {
    members.push_back(debugInfo_->createMemberType(compileUnit_, name, file, line, 64, 64, 64 * members.size(),
                                                   llvm::DINode::FlagZero,
                                                   debugInfo_->createPointerType(pointee, 64)));
  };
  // __uint(name, N) is `int (*name)[N]`.
  auto number = [&](const char *name, uint32_t value) {
    member(name, debugInfo_->createArrayType(uint64_t(value) * 32, 32, intType,
                                             debugInfo_->getOrCreateArray({debugInfo_->getOrCreateSubrange(0, value)})));
  };
  number("type", map.type);
  number("max_entries", map.maxEntries);
  if (map.flags)
    number("map_flags", map.flags);
  if (map.pinning)
    number("pinning", map.pinning);
  member("key", keyType);
  member("value", valueType);
  llvm::DICompositeType *definition = debugInfo_->createStructType(
      compileUnit_, "", file, line, 64 * members.size(), 64, llvm::DINode::FlagZero, nullptr,
      debugInfo_->getOrCreateArray(members));

  llvm::LLVMContext &context = module_.context();
  auto *type = llvm::StructType::get(
      context, std::vector<llvm::Type *>(members.size(), llvm::PointerType::getUnqual(context)));
  auto *global = new llvm::GlobalVariable(module_.llvm(), type, /*isConstant=*/false,
                                          llvm::GlobalValue::ExternalLinkage,
                                          llvm::ConstantAggregateZero::get(type), map.name);
  global->setSection(".maps");
  global->setAlignment(llvm::Align(8));
  global->setDSOLocal(true);
  global->addDebugInfo(debugInfo_->createGlobalVariableExpression(compileUnit_, map.name, "", file, line,
                                                                  definition, /*IsLocalToUnit=*/false));
  return global;
}

bool MapFormatPass::run(ir::Module &module, PassContext &context) {
  const PipelineOptions &options = context.options;
  if (globalDataUnavailable(module, options))
    movePrintkFormatsToStack(module);
  if (options.mapFormat == MapFormat::Btf)
    return true;

  unsigned errorsBefore = context.diags.errorCount();
  std::set<llvm::Metadata *> replacedDebugInfo;
  {
    MapDefinitionWriter writer(module, options.mapFormat, context.diags);
    for (const ir::MapDef &map : module.maps) {
      llvm::GlobalVariable *btf = module.llvm().getNamedGlobal(map.name);
      if (!btf || btf->getSection() != ".maps")
        continue;
      if (btf->hasInitializer() && !btf->getInitializer()->isNullValue()) {
        context.diags.error(map.loc,
                            "map '" + map.name + "' has initial values, which a legacy \"maps\" section (" +
                                formatName(options.mapFormat) + ") cannot carry",
                            {{{}, "fill the map from user space, or keep --map-format=btf"}});
        continue;
      }
      llvm::GlobalVariable *legacy = writer.define(map, nullptr, nullptr, map.loc.line);
      if (!legacy)
        continue;
      llvm::SmallVector<llvm::DIGlobalVariableExpression *, 1> expressions;
      btf->getDebugInfo(expressions);
      replacedDebugInfo.insert(expressions.begin(), expressions.end());
      btf->replaceAllUsesWith(legacy);
      legacy->takeName(btf);
      btf->eraseFromParent();
    }
  }
  removeGlobalDebugInfo(module.llvm(), replacedDebugInfo);
  return context.diags.errorCount() == errorsBefore;
}

} // namespace ebpfc::passes

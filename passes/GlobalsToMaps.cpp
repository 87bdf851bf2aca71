#include "passes/GlobalsToMaps.h"

#include "ir/MapType.h"
#include "ir/SourceLocations.h"
#include "passes/MapFormat.h"

#include <llvm/ADT/MapVector.h>
#include <llvm/ADT/SetVector.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/ReplaceConstant.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include <algorithm>
#include <map>
#include <set>

namespace ebpfc::passes {

namespace {

constexpr uint64_t kMapLookupElem = 1;
constexpr uint64_t kMapUpdateElem = 2;
constexpr uint64_t kNoExist = 1; // BPF_NOEXIST
constexpr const char *kScratchMapName = "globals_init";

// The section a global variable of the module lands in, as the backend and
// libbpf name it: "bss", "data", "rodata", or an explicit section name
// without its leading dot; "" for globals that are not global data (maps,
// license, LLVM's own).
std::string dataSectionOf(const llvm::GlobalVariable &global) {
  if (!global.hasInitializer() || global.getName().starts_with("llvm."))
    return {};
  if (global.hasSection()) {
    llvm::StringRef section = global.getSection();
    if (section.starts_with(".data") || section.starts_with(".bss") || section.starts_with(".rodata"))
      return section.drop_front().str();
    return {};
  }
  if (global.isConstant())
    return "rodata";
  return global.getInitializer()->isNullValue() ? "bss" : "data";
}

std::string identifierFrom(llvm::StringRef text) {
  std::string out;
  for (char c : text)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out.insert(out.begin(), '_');
  return out;
}

const llvm::DIGlobalVariable *debugVariableOf(const llvm::GlobalVariable &global) {
  llvm::SmallVector<llvm::DIGlobalVariableExpression *, 1> expressions;
  global.getDebugInfo(expressions);
  return expressions.empty() ? nullptr : expressions.front()->getVariable();
}

// Writes the bytes of `constant` to `out` (zero-filled, little-endian like
// BPF); false for what has no bytes at compile time (addresses).
bool writeConstant(const llvm::Constant &constant, const llvm::DataLayout &layout, uint8_t *out) {
  if (constant.isNullValue() || llvm::isa<llvm::UndefValue>(constant))
    return true;
  if (auto *integer = llvm::dyn_cast<llvm::ConstantInt>(&constant)) {
    const llvm::APInt &value = integer->getValue();
    for (unsigned i = 0; i < layout.getTypeStoreSize(integer->getType()); ++i)
      out[i] = static_cast<uint8_t>(value.extractBitsAsZExtValue(std::min(8u, value.getBitWidth() - 8 * i), 8 * i));
    return true;
  }
  if (auto *real = llvm::dyn_cast<llvm::ConstantFP>(&constant))
    return writeConstant(*llvm::ConstantInt::get(real->getContext(), real->getValueAPF().bitcastToAPInt()), layout, out);
  if (auto *data = llvm::dyn_cast<llvm::ConstantDataSequential>(&constant)) {
    llvm::StringRef raw = data->getRawDataValues();
    std::copy(raw.begin(), raw.end(), out);
    return true;
  }
  if (auto *array = llvm::dyn_cast<llvm::ConstantArray>(&constant)) {
    uint64_t stride = layout.getTypeAllocSize(array->getType()->getElementType());
    for (unsigned i = 0; i < array->getNumOperands(); ++i)
      if (!writeConstant(*array->getOperand(i), layout, out + i * stride))
        return false;
    return true;
  }
  if (auto *record = llvm::dyn_cast<llvm::ConstantStruct>(&constant)) {
    const llvm::StructLayout *fields = layout.getStructLayout(record->getType());
    for (unsigned i = 0; i < record->getNumOperands(); ++i)
      if (!writeConstant(*record->getOperand(i), layout, out + fields->getElementOffset(i)))
        return false;
    return true;
  }
  return false;
}

// How a diagnostic names the global: clang names the data it creates for
// string literals ".str*" and for local const arrays "__const.FUNCTION.NAME".
std::string describe(const llvm::GlobalVariable &global) {
  if (const llvm::DIGlobalVariable *debug = debugVariableOf(global))
    return "global variable '" + debug->getName().str() + "'";
  llvm::StringRef name = global.getName();
  if (name.starts_with(".str"))
    return "a string literal";
  if (name.consume_front("__const.")) {
    auto [function, local] = name.split('.');
    return "local constant '" + local.str() + "' of '" + function.str() + "'";
  }
  return "constant data '" + name.str() + "'";
}

// A global's declaration, with the column of its name; for data without
// debug info (string literals), the first instruction that uses it.
ir::SourceLocation locationOf(const llvm::GlobalValue &global, const ir::Module &module,
                              ir::DiagnosticEngine &diags) {
  auto *variable = llvm::dyn_cast<llvm::GlobalVariable>(&global);
  const llvm::DIGlobalVariable *debug = variable ? debugVariableOf(*variable) : nullptr;
  if (!debug) {
    for (const llvm::User *user : global.users())
      if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(user))
        return ir::sourceLocationOf(*instruction, module.sourceFile());
    return {};
  }
  ir::SourceLocation loc = ir::sourceLocationOf(debug->getFile(), debug->getLine(), module.sourceFile());
  const std::string &text = diags.lineOf(loc.file, loc.line);
  if (size_t at = text.find(debug->getName().str()); at != std::string::npos)
    loc.column = static_cast<unsigned>(at + 1);
  return loc;
}

struct Variable {
  llvm::GlobalVariable *global;
  uint64_t offset = 0;
};

// One section's worth of globals and the map that replaces it.
struct SectionMap {
  std::string section;
  std::string mapName;
  std::vector<Variable> variables;
  uint64_t size = 0;
  std::vector<uint8_t> image;
  bool initialized = false; // non-zero image: a HASH map filled on first use
  llvm::GlobalVariable *map = nullptr;
};

// Sections in the order their first global appears.
using SectionMaps = llvm::MapVector<std::string, SectionMap, std::map<std::string, unsigned>>;

class GlobalsConverter {
public:
  GlobalsConverter(ir::Module &module, PassContext &context)
      : module_(module), context_(context), layout_(module.llvm().getDataLayout()) {}

  bool run(const std::vector<llvm::GlobalVariable *> &globals) {
    for (llvm::GlobalVariable *global : globals)
      if (!referencedOnlyByCode(*global))
        return false;
    SectionMaps sections;
    for (llvm::GlobalVariable *global : globals) {
      std::string section = dataSectionOf(*global);
      SectionMap &map = sections[section];
      map.section = section;
      map.mapName = "globals_" + identifierFrom(section);
      uint64_t align = global->getAlign().valueOrOne().value();
      align = std::max(align, layout_.getABITypeAlign(global->getValueType()).value());
      map.size = llvm::alignTo(map.size, align);
      map.variables.push_back({global, map.size});
      map.size += layout_.getTypeAllocSize(global->getValueType());
    }
    uint64_t scratchSize = 0;
    for (auto &[name, map] : sections) {
      map.size = std::max<uint64_t>(llvm::alignTo(map.size, 8), 8);
      if (!buildImage(map))
        return false;
      if (map.initialized)
        scratchSize = std::max(scratchSize, map.size);
    }
    if (!defineMaps(sections, scratchSize))
      return false;
    for (auto &[name, map] : sections)
      rewriteAccesses(map);
    for (auto &[name, map] : sections)
      for (Variable &variable : map.variables) {
        variable.global->removeDeadConstantUsers();
        variable.global->eraseFromParent();
      }
    return true;
  }

private:
  // Globals whose address is in another global's initializer would need
  // that address at compile time.
  bool referencedOnlyByCode(llvm::GlobalVariable &global) {
    llvm::removeFromUsedLists(module_.llvm(), [&](llvm::Constant *c) { return c == &global; });
    llvm::SmallVector<const llvm::User *, 8> pending(global.user_begin(), global.user_end());
    while (!pending.empty()) {
      const llvm::User *user = pending.pop_back_val();
      if (auto *holder = llvm::dyn_cast<llvm::GlobalVariable>(user)) {
        context_.diags.error(locationOf(global, module_, context_.diags),
                             describe(global) + " cannot move into a map: the initializer of '" +
                                 holder->getName().str() + "' holds its address",
                             {{{}, "with --globals=maps addresses of globals exist only at run time; store an "
                                   "index instead of a pointer, or keep --globals=sections"}});
        return false;
      }
      if (llvm::isa<llvm::Constant>(user))
        pending.append(user->user_begin(), user->user_end());
    }
    return true;
  }

  bool buildImage(SectionMap &map) {
    map.image.assign(map.size, 0);
    for (const Variable &variable : map.variables) {
      if (!writeConstant(*variable.global->getInitializer(), layout_, map.image.data() + variable.offset)) {
        context_.diags.error(locationOf(*variable.global, module_, context_.diags),
                             describe(*variable.global) + " cannot move into a map: its initial value holds an address",
                             {{{}, "initialize it with numbers only (an address is known only at run time), or keep "
                                   "--globals=sections"}});
        return false;
      }
    }
    map.initialized = std::any_of(map.image.begin(), map.image.end(), [](uint8_t b) { return b != 0; });
    return true;
  }

  llvm::DIType *valueType(MapDefinitionWriter &writer, const SectionMap &map) {
    llvm::DIBuilder &builder = writer.debugInfo();
    llvm::DICompileUnit *unit = writer.compileUnit();
    std::vector<llvm::Metadata *> members;
    for (const Variable &variable : map.variables) {
      const llvm::DIGlobalVariable *debug = debugVariableOf(*variable.global);
      uint64_t size = layout_.getTypeAllocSize(variable.global->getValueType());
      llvm::DIType *type = debug ? debug->getType() : writer.byteArrayType(size);
      members.push_back(builder.createMemberType(unit, identifierFrom(variable.global->getName()), unit->getFile(),
                                                 debug ? debug->getLine() : 0, size * 8, 0, variable.offset * 8,
                                                 llvm::DINode::FlagZero, type));
    }
    return builder.createStructType(unit, map.mapName, unit->getFile(), 0, map.size * 8, 64, llvm::DINode::FlagZero,
                                    nullptr, builder.getOrCreateArray(members));
  }

  bool defineMaps(SectionMaps &sections, uint64_t scratchSize) {
    MapDefinitionWriter writer(module_, context_.options.mapFormat, context_.diags);
    auto define = [&](const std::string &name, ir::MapType type, uint64_t size, llvm::DIType *value,
                      const std::string &valueName, unsigned line) -> llvm::GlobalVariable * {
      if (llvm::GlobalValue *clash = module_.llvm().getNamedValue(name)) {
        context_.diags.error(locationOf(*clash, module_, context_.diags),
                             "'" + name + "' is a name --globals=maps needs for the map of global variables",
                             {{{}, "rename '" + name + "'"}});
        return nullptr;
      }
      ir::MapDef map;
      map.name = name;
      map.type = static_cast<uint32_t>(type);
      map.keySize = 4;
      map.valueSize = static_cast<uint32_t>(size);
      map.maxEntries = 1;
      map.keyType = "unsigned int";
      map.valueType = valueName;
      llvm::GlobalVariable *global = writer.define(map, writer.unsignedIntType(), value, line);
      if (global)
        module_.maps.push_back(std::move(map));
      return global;
    };
    for (auto &[name, map] : sections) {
      unsigned line = 0;
      if (const llvm::DIGlobalVariable *debug = debugVariableOf(*map.variables.front().global))
        line = debug->getLine();
      map.map = define(map.mapName, map.initialized ? ir::MapType::Hash : ir::MapType::Array, map.size,
                       valueType(writer, map), "struct " + map.mapName, line);
      if (!map.map)
        return false;
    }
    if (scratchSize) {
      scratch_ = define(kScratchMapName, ir::MapType::PercpuArray, scratchSize, writer.byteArrayType(scratchSize),
                        "unsigned char[" + std::to_string(scratchSize) + "]", 0);
      if (!scratch_)
        return false;
    }
    return true;
  }

  // Replaces every use of the section's globals, function by function, with
  // a pointer into the map value looked up at the function's entry.
  void rewriteAccesses(SectionMap &map) {
    std::vector<llvm::Constant *> globals;
    for (Variable &variable : map.variables)
      globals.push_back(variable.global);
    llvm::convertUsersOfConstantsToInstructions(globals);

    llvm::SetVector<llvm::Function *> functions;
    for (Variable &variable : map.variables)
      for (llvm::User *user : variable.global->users())
        if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(user))
          functions.insert(instruction->getFunction());
    for (llvm::Function *function : functions) {
      llvm::Value *value = lookUpValue(*function, map);
      llvm::IRBuilder<> builder(llvm::cast<llvm::Instruction>(value)->getParent()->getTerminator());
      for (Variable &variable : map.variables) {
        llvm::Value *address = nullptr;
        for (llvm::Use &use : llvm::make_early_inc_range(variable.global->uses())) {
          auto *instruction = llvm::dyn_cast<llvm::Instruction>(use.getUser());
          if (!instruction || instruction->getFunction() != function)
            continue;
          if (!address)
            address = builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), value, variable.offset,
                                                         identifierFrom(variable.global->getName()));
          use.set(address);
        }
      }
    }
  }

  llvm::Value *callHelper(llvm::IRBuilder<> &builder, uint64_t id, llvm::Type *result,
                          llvm::ArrayRef<llvm::Value *> arguments) {
    std::vector<llvm::Type *> parameters;
    for (llvm::Value *argument : arguments)
      parameters.push_back(argument->getType());
    auto *type = llvm::FunctionType::get(result, parameters, false);
    llvm::Constant *address =
        llvm::ConstantExpr::getIntToPtr(builder.getInt64(id), llvm::PointerType::getUnqual(builder.getContext()));
    return builder.CreateCall(type, address, arguments);
  }

  // Emits, before the function's code, the lookup of the section's map
  // value (filling a HASH map with the initial image the first time) and
  // returns the non-null value pointer. The original entry block follows.
  llvm::Value *lookUpValue(llvm::Function &function, SectionMap &map) {
    llvm::LLVMContext &context = module_.context();
    llvm::BasicBlock *body = &function.getEntryBlock();
    // Stack slots must stay in the entry block, which `start` becomes.
    std::vector<llvm::AllocaInst *> slots;
    for (llvm::Instruction &instruction : *body)
      if (auto *slot = llvm::dyn_cast<llvm::AllocaInst>(&instruction); slot && slot->isStaticAlloca())
        slots.push_back(slot);
    auto *start = llvm::BasicBlock::Create(context, map.mapName + ".lookup", &function, body);
    auto *fail = llvm::BasicBlock::Create(context, map.mapName + ".missing", &function);
    llvm::IRBuilder<> builder(start);
    if (llvm::DISubprogram *subprogram = function.getSubprogram())
      builder.SetCurrentDebugLocation(llvm::DILocation::get(context, subprogram->getScopeLine(), 0, subprogram));
    llvm::Type *pointer = builder.getPtrTy();
    for (llvm::AllocaInst *slot : slots)
      slot->moveBefore(*start, start->end());
    llvm::AllocaInst *key = builder.CreateAlloca(builder.getInt32Ty(), nullptr, "globals_key");
    builder.CreateStore(builder.getInt32(0), key);
    llvm::Value *found = callHelper(builder, kMapLookupElem, pointer, {map.map, key});

    llvm::Value *value = found;
    if (map.initialized) {
      auto *ready = llvm::BasicBlock::Create(context, map.mapName + ".ready", &function, body);
      auto *init = llvm::BasicBlock::Create(context, map.mapName + ".init", &function, ready);
      auto *fill = llvm::BasicBlock::Create(context, map.mapName + ".fill", &function, ready);
      builder.CreateCondBr(builder.CreateIsNotNull(found), ready, init);

      builder.SetInsertPoint(init);
      llvm::Value *scratch = callHelper(builder, kMapLookupElem, pointer, {scratch_, key});
      builder.CreateCondBr(builder.CreateIsNotNull(scratch), fill, fail);

      builder.SetInsertPoint(fill);
      for (uint64_t offset = 0; offset < map.size; offset += 8) {
        uint64_t word = 0;
        for (unsigned i = 0; i < 8; ++i)
          word |= uint64_t(map.image[offset + i]) << (8 * i);
        builder.CreateAlignedStore(builder.getInt64(word),
                                   builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), scratch, offset),
                                   llvm::Align(8));
      }
      callHelper(builder, kMapUpdateElem, builder.getInt64Ty(), {map.map, key, scratch, builder.getInt64(kNoExist)});
      llvm::Value *inserted = callHelper(builder, kMapLookupElem, pointer, {map.map, key});
      builder.CreateCondBr(builder.CreateIsNotNull(inserted), ready, fail);

      builder.SetInsertPoint(ready);
      llvm::PHINode *merged = builder.CreatePHI(pointer, 2, map.mapName);
      merged->addIncoming(found, start);
      merged->addIncoming(inserted, fill);
      builder.CreateBr(body);
      value = merged;
    } else {
      builder.CreateCondBr(builder.CreateIsNotNull(found), body, fail);
    }

    builder.SetInsertPoint(fail);
    llvm::Type *result = function.getReturnType();
    if (result->isVoidTy())
      builder.CreateRetVoid();
    else
      builder.CreateRet(llvm::Constant::getNullValue(result));
    return value;
  }

  ir::Module &module_;
  PassContext &context_;
  const llvm::DataLayout &layout_;
  llvm::GlobalVariable *scratch_ = nullptr;
};

} // namespace

bool GlobalsToMapsPass::run(ir::Module &module, PassContext &context) {
  std::vector<llvm::GlobalVariable *> globals;
  for (llvm::GlobalVariable &global : module.llvm().globals())
    if (!dataSectionOf(global).empty())
      globals.push_back(&global);
  if (globals.empty())
    return true;
  if (context.options.globals == GlobalsMode::Maps)
    return GlobalsConverter(module, context).run(globals);
  if (!globalDataUnavailable(module, context.options))
    return true;
  // --globals=sections where global data cannot be loaded.
  const ir::Target &target = module.target;
  std::string why = !target.globalData
                        ? "which kernel " + target.kernel.str() + " cannot load (global data came in 5.2)"
                        : std::string("which loaders of a legacy \"maps\" section (--map-format=") +
                              (context.options.mapFormat == MapFormat::Iproute2 ? "iproute2" : "legacy") +
                              ") do not support";
  std::string fix = !target.globalData
                        ? "pass --globals=maps to keep global variables in maps, or --target-kernel=5.2 or later"
                        : "pass --globals=maps to keep global variables in maps";
  for (llvm::GlobalVariable *global : globals)
    context.diags.error(locationOf(*global, module, context.diags),
                        describe(*global) + " needs global data (." + dataSectionOf(*global) + "), " + why,
                        {{{}, fix}});
  return false;
}

} // namespace ebpfc::passes

// Tables (see BodyLowerer.h and docs/p4.md): a BTF-defined map per table
// with p4c's eBPF key and value layouts, a one-entry default-action map,
// `const entries` compiled into the program (so they work without any
// control-plane step), and the action dispatch on the value's action id.
#include "frontend/p4/BodyLowerer.h"

#include "frontend/p4/ConstantFolder.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Intrinsics.h>

#include <algorithm>

namespace ebpfc::p4 {

namespace {

constexpr uint32_t kDefaultTableSize = 1024;
constexpr uint32_t kNoPrealloc = 1; // BPF_F_NO_PREALLOC, required by LPM tries

bool isNoAction(const ActionDecl *action) {
  return action && action->name == "NoAction" && !action->enclosingControl;
}

uint64_t alignTo(uint64_t value, uint64_t align) { return (value + align - 1) / align * align; }

std::optional<uint32_t> constantArgument(const Expr &e) {
  if (!e.constant || e.constant->kind != Constant::Kind::Integer || e.constant->value.getActiveBits() > 32)
    return std::nullopt;
  return static_cast<uint32_t>(e.constant->value.getZExtValue());
}

} // namespace

TableInfo &BodyLowerer::tableInfo(const TableDecl &table) {
  auto found = tables.find({&table, controlPath_});
  if (found != tables.end())
    return found->second;
  TableInfo &info = tables[{&table, controlPath_}];
  const auto *control = static_cast<const BlockTypeDecl *>(table.enclosingControl);
  info.mapName = scopedName(control, table.name);
  DebugInfo &debug = cx.debug;

  // ---- actions and their ids: NoAction is 0, the others 1, 2, ... in order.
  uint32_t nextId = 1;
  for (const ActionRef &ref : table.actions) {
    if (!ref.action)
      continue;
    info.actionIds[ref.action] = isNoAction(ref.action) ? 0 : nextId++;
  }

  // ---- match kinds and the map type
  // `const entries` (or entries each marked const) are compiled into the
  // program; other `entries` are the table map's initial contents, written
  // on the first lookup (see applyTable).
  bool constEntries = table.hasEntries &&
                      (table.entriesConst || std::all_of(table.entries.begin(), table.entries.end(),
                                                         [](const TableEntry &e) { return e.isConst; }));
  info.initialEntries = table.hasEntries && !constEntries;
  unsigned lpmCount = 0;
  for (size_t i = 0; i < table.keys.size(); ++i) {
    const KeyElement &k = table.keys[i];
    if (k.matchKind == "lpm") {
      ++lpmCount;
      if (i + 1 != table.keys.size() && !constEntries)
        cx.unsupported(k.matchKindLoc, "an lpm key that is not the last key of its table");
      if (lpmCount > 1 && !constEntries)
        cx.unsupported(k.matchKindLoc, "more than one lpm key in a table");
    } else if (k.matchKind != "exact" && !constEntries) {
      cx.unsupported(k.matchKindLoc, "a '" + k.matchKind + "' key in a table without const entries");
    }
  }
  info.isLpm = lpmCount == 1 && table.keys.back().matchKind == "lpm";

  uint32_t size = kDefaultTableSize;
  bool arrayImplementation = false;
  if (const TableProperty *p = table.findProperty("size"); p && p->value->constant)
    size = static_cast<uint32_t>(p->value->constant->value.getZExtValue());
  if (const TableProperty *p = table.findProperty("implementation")) {
    const Expr &impl = *p->value;
    std::string kind = impl.type ? impl.type->name : "";
    if (impl.kind != ExprKind::ConstructorCall || (kind != "hash_table" && kind != "array_table")) {
      cx.error(impl.loc, "a table's implementation must be hash_table(size) or array_table(size)");
    } else {
      const auto *ctor = impl.as<ConstructorCallExpr>();
      if (!ctor->arguments.empty())
        if (auto n = constantArgument(*ctor->arguments[0].value))
          size = *n;
      arrayImplementation = kind == "array_table" && !info.isLpm;
    }
  }
  if (size == 0) {
    cx.error(table.loc, "table '" + table.name + "' has size 0");
    size = 1;
  }

  // ---- key layout (C layout of p4c's key struct, aligned to 4 bytes)
  std::vector<DebugInfo::Member> keyMembers;
  uint64_t offset = 0, align = 4;
  if (info.isLpm) {
    keyMembers.push_back({"prefixlen", debug.integerType(4, false), 0});
    offset = 4;
  }
  for (size_t i = 0; i < table.keys.size(); ++i) {
    const Type *t = table.keys[i].expression->type;
    const Layout &layout = cx.layouts.of(t);
    // An LPM trie's key data follows the prefix length without gaps: the
    // trie matches it bit by bit, padding included.
    if (!info.isLpm) {
      offset = alignTo(offset, layout.align);
      align = std::max(align, layout.align);
    }
    info.keyOffsets.push_back(offset);
    // The lpm field is in network byte order: shown as bytes, not a number.
    bool networkOrder = info.isLpm && table.keys[i].matchKind == "lpm";
    keyMembers.push_back({"field" + std::to_string(i), networkOrder ? debug.byteArray(layout.size) : layout.debugType,
                          offset});
    offset += layout.size;
  }
  if (table.keys.empty()) {
    // Hash maps cannot have empty keys (p4c adds the same dummy byte).
    keyMembers.push_back({"__dummy_table_key", debug.integerType(1, false), 0});
    offset = 1;
  }
  info.keySize = info.isLpm ? offset : alignTo(offset, align);
  llvm::DIType *keyType = debug.structType(info.mapName + "_key", info.keySize, keyMembers, table.loc);

  // ---- value layout: { u32 action; union { struct {} _NoAction; struct {...} <action>; } u; }
  std::vector<DebugInfo::Member> unionMembers;
  uint64_t unionSize = 0, unionAlign = 1;
  for (const ActionRef &ref : table.actions) {
    if (!ref.action)
      continue;
    std::vector<DebugInfo::Member> params;
    std::vector<uint64_t> &offsets = info.parameterOffsets[ref.action];
    uint64_t paramOffset = 0, paramAlign = 1;
    for (const auto &p : ref.action->parameters) {
      if (p->direction != Direction::None || !p->type) {
        offsets.push_back(0);
        continue;
      }
      const Layout &layout = cx.layouts.of(p->type);
      paramOffset = alignTo(paramOffset, layout.align);
      paramAlign = std::max(paramAlign, layout.align);
      offsets.push_back(paramOffset);
      params.push_back({p->name, layout.debugType, paramOffset});
      paramOffset += layout.size;
    }
    uint64_t structSize = alignTo(paramOffset, paramAlign);
    std::string memberName = isNoAction(ref.action) ? "_NoAction"
                                                    : scopedName(static_cast<const BlockTypeDecl *>(
                                                                       ref.action->enclosingControl),
                                                                   ref.action->name);
    unionMembers.push_back(
        {memberName, debug.structType("", structSize, params, ref.action->loc), 0});
    unionSize = std::max(unionSize, structSize);
    unionAlign = std::max(unionAlign, paramAlign);
  }
  info.unionOffset = alignTo(4, unionAlign);
  info.valueSize = alignTo(info.unionOffset + unionSize, std::max<uint64_t>(4, unionAlign));
  llvm::DIType *unionType = debug.structType("", alignTo(unionSize, unionAlign), unionMembers, table.loc, true);
  llvm::DIType *valueType = debug.structType(
      info.mapName + "_value", info.valueSize,
      {{"action", debug.integerType(4, false), 0}, {"u", unionType, info.unionOffset}}, table.loc);

  // ---- maps
  if (!constEntries && !table.keys.empty()) {
    if (arrayImplementation) {
      bool indexable = table.keys.size() == 1 && table.keys[0].matchKind == "exact" &&
                       serializedBits(table.keys[0].expression->type) <= 32;
      if (!indexable)
        cx.error(table.loc, "an array_table needs exactly one exact key of at most 32 bits (the array index)");
      info.mapType = ir::MapType::Array;
    } else {
      info.mapType = info.isLpm ? ir::MapType::LpmTrie : ir::MapType::Hash;
    }
    MapSpec spec;
    spec.name = info.mapName;
    spec.type = info.mapType;
    spec.maxEntries = size;
    spec.flags = info.isLpm ? kNoPrealloc : 0;
    spec.keyType = info.mapType == ir::MapType::Array ? debug.integerType(4, false) : keyType;
    spec.valueType = valueType;
    spec.loc = table.loc;
    info.map = cx.defineMap(spec);
    info.keyBuffer = cx.scratchBytes(info.keySize, align, info.mapName + "_key", keyType);
    if (info.initialEntries) {
      info.valueBuffer = cx.scratchBytes(info.valueSize, 8, info.mapName + "_value", valueType);
      info.initialized = cx.zeroGlobal(info.mapName + "_initialized", table.entriesLoc);
    }
  }
  const TableProperty *defaultAction = table.findProperty("default_action");
  if (!defaultAction || !defaultAction->isConst) {
    MapSpec spec;
    spec.name = info.mapName + "_defaultAction";
    spec.type = ir::MapType::Array;
    spec.maxEntries = 1;
    spec.keyType = debug.integerType(4, false);
    spec.valueType = valueType;
    spec.loc = table.loc;
    info.defaultMap = cx.defineMap(spec);
  }
  return info;
}

TableResult BodyLowerer::applyTable(const TableDecl &table, Loc loc) {
  llvm::IRBuilder<> &b = cx.builder;
  TableInfo &info = tableInfo(table);
  cx.at(loc);
  llvm::AllocaInst *hitSlot = cx.entryAlloca(b.getInt1Ty(), table.name + "_hit");
  llvm::AllocaInst *runSlot = cx.entryAlloca(cx.i32(), table.name + "_action_run");
  llvm::BasicBlock *done = cx.newBlock(table.name + "_end");
  llvm::BasicBlock *miss = cx.newBlock(table.name + "_miss");

  std::vector<llvm::Value *> keys;
  for (const KeyElement &k : table.keys) {
    cx.at(k.loc);
    keys.push_back(rvalue(*k.expression));
  }
  cx.at(loc);

  // Runs an action of the table: directional arguments from the actions
  // list, action data from `entry` (a value of the map layout) or `constants`.
  auto run = [&](const ActionDecl *action, llvm::Value *entry, const std::vector<Expr *> *constants, bool hit) {
    const ActionRef *ref = nullptr;
    for (const ActionRef &r : table.actions)
      if (r.action == action)
        ref = &r;
    std::vector<Expr *> arguments = ref ? ref->argumentsByParameter : std::vector<Expr *>{};
    arguments.resize(action->parameters.size(), nullptr);
    std::vector<llvm::Value *> data(action->parameters.size(), nullptr);
    for (size_t i = 0; i < action->parameters.size(); ++i) {
      const ParameterDecl &p = *action->parameters[i];
      if (p.direction != Direction::None)
        continue;
      if (constants) {
        arguments[i] = (*constants)[i];
      } else {
        llvm::Value *address = cx.byteAddress(entry, info.unionOffset + info.parameterOffsets[action][i]);
        data[i] = isAggregate(p.type) ? address : cx.loadValue(address, p.type);
      }
    }
    inlineAction(*action, arguments, data, loc);
    b.CreateStore(b.getInt1(hit), hitSlot);
    b.CreateStore(b.getInt32(info.actionIds.count(action) ? info.actionIds[action] : 0), runSlot);
    b.CreateBr(done);
  };
  // Switches on an entry's action id.
  auto dispatch = [&](llvm::Value *entry, bool hit) {
    llvm::Value *id = b.CreateLoad(cx.i32(), entry);
    llvm::BasicBlock *unknown = cx.newBlock(table.name + "_unknown_action");
    llvm::SwitchInst *sw = b.CreateSwitch(id, unknown);
    for (const ActionRef &ref : table.actions) {
      if (!ref.action)
        continue;
      llvm::BasicBlock *block = cx.newBlock(table.name + "_" + ref.action->name);
      sw->addCase(b.getInt32(info.actionIds[ref.action]), block);
      b.SetInsertPoint(block);
      run(ref.action, entry, nullptr, hit);
    }
    // An id the program does not know: nothing runs (as for NoAction).
    b.SetInsertPoint(unknown);
    b.CreateStore(b.getInt1(hit), hitSlot);
    b.CreateStore(id, runSlot);
    b.CreateBr(done);
  };

  if (info.map) {
    if (info.initialized)
      writeInitialEntries(table, info);
    b.CreateMemSet(info.keyBuffer, b.getInt8(0), info.keySize, llvm::MaybeAlign(4));
    if (info.isLpm)
      b.CreateStore(b.getInt32(static_cast<uint32_t>(8 * (info.keySize - 4))), info.keyBuffer);
    for (size_t i = 0; i < keys.size(); ++i) {
      const Type *t = table.keys[i].expression->type;
      llvm::Value *field = cx.byteAddress(info.keyBuffer, info.keyOffsets[i]);
      if (info.isLpm && table.keys[i].matchKind == "lpm") {
        // The trie compares bytes from the first: the key goes in network order.
        const Layout &layout = cx.layouts.of(t);
        llvm::Value *wide = b.CreateZExt(keys[i], layout.storage);
        unsigned bits = layout.storage->getIntegerBitWidth();
        // Left-align the value in its storage, then swap to network order.
        wide = b.CreateShl(wide, bits - serializedBits(t));
        if (bits > 8)
          wide = b.CreateUnaryIntrinsic(llvm::Intrinsic::bswap, wide);
        b.CreateAlignedStore(wide, field, llvm::Align(1));
      } else if (info.isLpm) {
        const Layout &layout = cx.layouts.of(t);
        llvm::Value *value = keys[i];
        if (value->getType() != layout.storage)
          value = b.CreateZExt(value, layout.storage);
        b.CreateAlignedStore(value, field, llvm::Align(1));
      } else {
        cx.storeValue(field, t, keys[i]);
      }
    }
    llvm::Value *entry = cx.mapLookup(info.map, info.keyBuffer);
    llvm::BasicBlock *found = cx.newBlock(table.name + "_hit");
    b.CreateCondBr(b.CreateIsNull(entry), miss, found);
    b.SetInsertPoint(found);
    if (info.mapType == ir::MapType::Array) {
      // Array entries always exist; action 0 marks an empty one.
      llvm::BasicBlock *used = cx.newBlock(table.name + "_entry");
      b.CreateCondBr(b.CreateICmpEQ(b.CreateLoad(cx.i32(), entry), b.getInt32(0)), miss, used);
      b.SetInsertPoint(used);
    }
    dispatch(entry, true);
  } else if (table.hasEntries && !table.keys.empty()) {
    compileConstEntries(table, info, keys, [&](const TableEntry &e) {
      run(e.action.action, nullptr, &e.action.argumentsByParameter, true);
    }, miss);
  } else {
    b.CreateBr(miss);
  }

  // ---- miss: the control plane's default action, else the program's.
  b.SetInsertPoint(miss);
  llvm::BasicBlock *declared = cx.newBlock(table.name + "_declared_default");
  if (info.defaultMap) {
    llvm::AllocaInst *zero = cx.entryAlloca(cx.i32(), "default_key");
    b.CreateStore(b.getInt32(0), zero);
    llvm::Value *entry = cx.mapLookup(info.defaultMap, zero);
    llvm::BasicBlock *present = cx.newBlock(table.name + "_default_entry");
    llvm::BasicBlock *set = cx.newBlock(table.name + "_default_set");
    b.CreateCondBr(b.CreateIsNull(entry), declared, present);
    b.SetInsertPoint(present);
    // Action 0 in the default map: the control plane set nothing.
    b.CreateCondBr(b.CreateICmpEQ(b.CreateLoad(cx.i32(), entry), b.getInt32(0)), declared, set);
    b.SetInsertPoint(set);
    dispatch(entry, false);
  } else {
    b.CreateBr(declared);
  }
  b.SetInsertPoint(declared);
  const TableProperty *defaultAction = table.findProperty("default_action");
  if (defaultAction && defaultAction->value->kind == ExprKind::Call &&
      defaultAction->value->as<CallExpr>()->target) {
    const auto *call = defaultAction->value->as<CallExpr>();
    cx.at(defaultAction->loc);
    inlineAction(*call->target->as<ActionDecl>(), call->argumentsByParameter, {}, defaultAction->loc);
    b.CreateStore(b.getInt1(false), hitSlot);
    auto id = info.actionIds.find(call->target->as<ActionDecl>());
    b.CreateStore(b.getInt32(id == info.actionIds.end() ? 0 : id->second), runSlot);
  } else {
    b.CreateStore(b.getInt1(false), hitSlot);
    b.CreateStore(b.getInt32(0), runSlot);
  }
  b.CreateBr(done);

  b.SetInsertPoint(done);
  return TableResult{b.CreateLoad(b.getInt1Ty(), hitSlot), b.CreateLoad(cx.i32(), runSlot)};
}

// The table's `entries` go into its map on the first lookup (a global
// flag remembers it), without replacing entries the control plane wrote
// meanwhile (BPF_NOEXIST; array entries with an action are kept too).
void BodyLowerer::writeInitialEntries(const TableDecl &table, TableInfo &info) {
  llvm::IRBuilder<> &b = cx.builder;
  llvm::BasicBlock *write = cx.newBlock(table.name + "_initial_entries");
  llvm::BasicBlock *done = cx.newBlock(table.name + "_initialized");
  b.CreateCondBr(b.CreateICmpEQ(b.CreateLoad(cx.i32(), info.initialized), b.getInt32(0)), write, done);
  b.SetInsertPoint(write);
  for (const TableEntry &entry : table.entries) {
    cx.at(entry.loc);
    std::vector<const Expr *> elements;
    if (entry.keyset->kind == ExprKind::List && table.keys.size() > 1)
      for (const ExprPtr &x : entry.keyset->as<ListExpr>()->elements)
        elements.push_back(x.get());
    else
      elements.push_back(entry.keyset.get());
    b.CreateMemSet(info.keyBuffer, b.getInt8(0), info.keySize, llvm::MaybeAlign(4));
    uint64_t prefix = 0;
    bool ok = elements.size() == table.keys.size();
    for (size_t i = 0; i < elements.size() && ok; ++i) {
      const Type *t = table.keys[i].expression->type;
      unsigned bits = serializedBits(t);
      const Expr *value = elements[i];
      uint64_t fieldPrefix = bits;
      if (value->kind == ExprKind::Mask && table.keys[i].matchKind == "lpm") {
        const llvm::APInt &mask = value->as<MaskExpr>()->mask->constant->value;
        fieldPrefix = mask.popcount();
        if (mask.zextOrTrunc(bits) != llvm::APInt::getHighBitsSet(bits, static_cast<unsigned>(fieldPrefix)))
          cx.error(value->loc, "an lpm entry needs a prefix mask (ones, then zeros)");
        value = value->as<MaskExpr>()->value.get();
      } else if ((value->kind == ExprKind::Default || value->kind == ExprKind::DontCare) &&
                 table.keys[i].matchKind == "lpm") {
        fieldPrefix = 0;
        value = nullptr;
      } else if (value->kind == ExprKind::Mask || value->kind == ExprKind::Range ||
                 value->kind == ExprKind::Default || value->kind == ExprKind::DontCare) {
        cx.unsupported(value->loc, "a masked, ranged or wildcard entry in a table of exact keys");
        ok = false;
        break;
      }
      llvm::Value *field = cx.byteAddress(info.keyBuffer, info.keyOffsets[i]);
      const Layout &layout = cx.layouts.of(t);
      if (value && info.isLpm && table.keys[i].matchKind == "lpm") {
        llvm::Value *wide = b.CreateShl(b.CreateZExt(rvalue(*value), layout.storage),
                                        layout.storage->getIntegerBitWidth() - bits);
        if (layout.size > 1)
          wide = b.CreateUnaryIntrinsic(llvm::Intrinsic::bswap, wide);
        b.CreateAlignedStore(wide, field, llvm::Align(1));
      } else if (value && info.isLpm) {
        b.CreateAlignedStore(b.CreateZExt(rvalue(*value), layout.storage), field, llvm::Align(1));
      } else if (value) {
        cx.storeValue(field, t, rvalue(*value));
      }
      prefix = table.keys[i].matchKind == "lpm" ? 8 * (info.keyOffsets[i] - 4) + fieldPrefix : prefix;
    }
    if (!ok || !entry.action.action)
      continue;
    if (info.isLpm)
      b.CreateStore(b.getInt32(static_cast<uint32_t>(prefix)), info.keyBuffer);
    b.CreateMemSet(info.valueBuffer, b.getInt8(0), info.valueSize, llvm::MaybeAlign(8));
    const ActionDecl *action = entry.action.action;
    b.CreateStore(b.getInt32(info.actionIds[action]), info.valueBuffer);
    for (size_t i = 0; i < action->parameters.size(); ++i) {
      const ParameterDecl &p = *action->parameters[i];
      const Expr *argument = i < entry.action.argumentsByParameter.size() ? entry.action.argumentsByParameter[i] : nullptr;
      if (p.direction != Direction::None || !argument)
        continue;
      cx.storeValue(cx.byteAddress(info.valueBuffer, info.unionOffset + info.parameterOffsets[action][i]), p.type,
                    rvalue(*argument));
    }
    if (info.mapType == ir::MapType::Array) {
      // Arrays have every entry: write only where the control plane did not.
      llvm::Value *current = cx.mapLookup(info.map, info.keyBuffer);
      llvm::BasicBlock *empty = cx.newBlock(table.name + "_empty_entry");
      llvm::BasicBlock *next = cx.newBlock(table.name + "_next_initial_entry");
      llvm::Value *isEmpty = b.CreateAnd(b.CreateIsNotNull(current),
                                         b.CreateICmpEQ(b.CreateLoad(cx.i32(), current), b.getInt32(0)));
      b.CreateCondBr(isEmpty, empty, next);
      b.SetInsertPoint(empty);
      cx.mapUpdate(info.map, info.keyBuffer, info.valueBuffer, 0 /* BPF_ANY */);
      b.CreateBr(next);
      b.SetInsertPoint(next);
    } else {
      cx.mapUpdate(info.map, info.keyBuffer, info.valueBuffer, 1 /* BPF_NOEXIST */);
    }
  }
  b.CreateStore(b.getInt32(1), info.initialized);
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

// Entries in the order they are tried: by priority where the program gives
// priorities (largest first unless largest_priority_wins = false), longest
// prefix first for lpm tables, else as written.
void BodyLowerer::compileConstEntries(const TableDecl &table, TableInfo &info, const std::vector<llvm::Value *> &keys,
                                      const std::function<void(const TableEntry &)> &run, llvm::BasicBlock *miss) {
  llvm::IRBuilder<> &b = cx.builder;
  std::vector<const TableEntry *> order;
  for (const TableEntry &e : table.entries)
    order.push_back(&e);
  auto elementsOf = [&](const TableEntry &e) {
    std::vector<const Expr *> elements;
    if (e.keyset->kind == ExprKind::List && table.keys.size() > 1)
      for (const ExprPtr &x : e.keyset->as<ListExpr>()->elements)
        elements.push_back(x.get());
    else if (e.keyset->kind == ExprKind::Default || e.keyset->kind == ExprKind::DontCare)
      elements.assign(table.keys.size(), e.keyset.get());
    else
      elements.push_back(e.keyset.get());
    return elements;
  };
  bool anyPriority = std::any_of(order.begin(), order.end(), [](const TableEntry *e) { return e->priority != nullptr; });
  if (anyPriority) {
    bool largestWins = true;
    if (const TableProperty *p = table.findProperty("largest_priority_wins"); p && p->value->constant)
      largestWins = !p->value->constant->value.isZero();
    int64_t delta = 1;
    if (const TableProperty *p = table.findProperty("priority_delta"); p && p->value->constant)
      delta = static_cast<int64_t>(p->value->constant->value.getZExtValue());
    if (!order.front()->priority)
      cx.error(order.front()->loc, "when some entries have a priority, the first one must have one too");
    std::map<const TableEntry *, int64_t> priority;
    int64_t p = 0;
    for (const TableEntry *e : order) {
      if (e->priority && e->priority->constant)
        p = static_cast<int64_t>(e->priority->constant->value.getZExtValue());
      else
        p += largestWins ? -delta : delta;
      priority[e] = p;
    }
    std::stable_sort(order.begin(), order.end(), [&](const TableEntry *x, const TableEntry *y) {
      return largestWins ? priority[x] > priority[y] : priority[x] < priority[y];
    });
  } else if (info.isLpm || std::any_of(table.keys.begin(), table.keys.end(),
                                       [](const KeyElement &k) { return k.matchKind == "lpm"; })) {
    size_t lpmIndex = 0;
    for (size_t i = 0; i < table.keys.size(); ++i)
      if (table.keys[i].matchKind == "lpm")
        lpmIndex = i;
    auto prefix = [&](const TableEntry *e) -> unsigned {
      std::vector<const Expr *> elements = elementsOf(*e);
      if (lpmIndex >= elements.size())
        return 0;
      const Expr *x = elements[lpmIndex];
      if (x->kind == ExprKind::Default || x->kind == ExprKind::DontCare)
        return 0;
      if (x->kind == ExprKind::Mask && x->as<MaskExpr>()->mask->constant)
        return x->as<MaskExpr>()->mask->constant->value.popcount();
      return serializedBits(table.keys[lpmIndex].expression->type);
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](const TableEntry *x, const TableEntry *y) { return prefix(x) > prefix(y); });
  }
  for (const TableEntry *e : order) {
    cx.at(e->loc);
    std::vector<const Expr *> elements = elementsOf(*e);
    llvm::Value *match = b.getTrue();
    for (size_t i = 0; i < elements.size() && i < keys.size(); ++i) {
      const Expr &k = *elements[i];
      const Type *keyType = table.keys[i].expression->type;
      bool isSigned = keyType->bitsRepresentation() && keyType->bitsRepresentation()->isSigned;
      switch (k.kind) {
      case ExprKind::Default:
      case ExprKind::DontCare: break;
      case ExprKind::Mask: {
        llvm::Value *mask = rvalue(*k.as<MaskExpr>()->mask);
        match = b.CreateAnd(match, b.CreateICmpEQ(b.CreateAnd(keys[i], mask),
                                                  b.CreateAnd(rvalue(*k.as<MaskExpr>()->value), mask)));
        break;
      }
      case ExprKind::Range: {
        llvm::Value *low = rvalue(*k.as<RangeExpr>()->low);
        llvm::Value *high = rvalue(*k.as<RangeExpr>()->high);
        match = b.CreateAnd(match, b.CreateAnd(isSigned ? b.CreateICmpSGE(keys[i], low) : b.CreateICmpUGE(keys[i], low),
                                               isSigned ? b.CreateICmpSLE(keys[i], high)
                                                        : b.CreateICmpULE(keys[i], high)));
        break;
      }
      default: match = b.CreateAnd(match, b.CreateICmpEQ(keys[i], rvalue(k))); break;
      }
    }
    llvm::BasicBlock *hit = cx.newBlock(table.name + "_const_entry");
    llvm::BasicBlock *next = cx.newBlock(table.name + "_next_entry");
    b.CreateCondBr(match, hit, next);
    b.SetInsertPoint(hit);
    if (e->action.action)
      run(*e);
    else
      b.CreateBr(miss);
    b.SetInsertPoint(next);
  }
  b.CreateBr(miss);
}

} // namespace ebpfc::p4

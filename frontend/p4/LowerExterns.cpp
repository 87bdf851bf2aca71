// The externs of the ebpf and xdp architecture models (see BodyLowerer.h):
// CounterArray as a map, the checksum externs computed inline (RFC 791 and
// RFC 1624), BPF_KTIME_GET_NS, verify, static_assert, and packet_out.emit
// in the deparser.
#include "frontend/p4/BodyLowerer.h"

#include <llvm/IR/Constants.h>

#include <functional>

namespace ebpfc::p4 {

namespace {

constexpr uint64_t kNoExist = 1; // BPF_NOEXIST

// One's-complement folding of a 32-bit sum to 16 bits, then its complement.
llvm::Value *finishChecksum(llvm::IRBuilder<> &b, llvm::Value *sum) {
  for (int i = 0; i < 2; ++i)
    sum = b.CreateAdd(b.CreateAnd(sum, b.getInt32(0xffff)), b.CreateLShr(sum, 16));
  return b.CreateTrunc(b.CreateNot(sum), b.getInt16Ty());
}

} // namespace

void BodyLowerer::declareInstance(const InstanceDecl &instance, const BlockTypeDecl *control) {
  const Type *type = instance.type;
  if (!type)
    return;
  if (type->kind == TypeKind::Control || type->kind == TypeKind::Parser) {
    // Constructor arguments are compile-time values bound to the parameters.
    auto *decl = static_cast<const BlockTypeDecl *>(type->declaration);
    for (size_t i = 0; i < decl->constructorParameters.size() && i < instance.arguments.size(); ++i) {
      const ParameterDecl &p = *decl->constructorParameters[i];
      Binding binding;
      binding.type = p.type;
      binding.value = rvalue(*instance.arguments[i].value);
      bindings[&p] = binding;
    }
    return;
  }
  if (type->kind != TypeKind::Extern)
    return;
  if (type->name == "CounterArray") {
    const Expr *maxIndex = instance.arguments.size() > 0 ? instance.arguments[0].value.get() : nullptr;
    const Expr *sparse = instance.arguments.size() > 1 ? instance.arguments[1].value.get() : nullptr;
    if (!maxIndex || !maxIndex->constant || !sparse || !sparse->constant) {
      cx.error(instance.loc, "CounterArray needs constant arguments");
      return;
    }
    MapSpec spec;
    spec.name = scopedName(control, instance.name);
    spec.type = sparse->constant->value.isZero() ? ir::MapType::Array : ir::MapType::Hash;
    spec.maxEntries = static_cast<uint32_t>(std::max<uint64_t>(1, maxIndex->constant->value.getZExtValue()));
    spec.keyType = cx.debug.integerType(4, false);
    spec.valueType = cx.debug.integerType(4, false);
    spec.loc = instance.loc;
    counters[&instance] = {cx.defineMap(spec), spec.type == ir::MapType::Hash};
    return;
  }
  // Other externs (hash_table, array_table) only describe tables.
}

llvm::Value *BodyLowerer::lowerExternMethod(const CallExpr &call) {
  llvm::IRBuilder<> &b = cx.builder;
  const auto *method = call.target->as<MethodDecl>();
  const Expr &object = *call.callee->as<MemberExpr>()->base;
  const Declaration *instance = object.kind == ExprKind::Name ? object.as<NameExpr>()->declaration : nullptr;
  auto counter = counters.find(instance);
  if (counter == counters.end()) {
    cx.unsupported(call.loc, "extern method '" + (method->owner ? method->owner->name + "." : std::string()) +
                                 method->name + "'");
    return nullptr;
  }
  llvm::GlobalVariable *map = counter->second.map;
  llvm::Value *index = rvalue(*call.argumentsByParameter[0]);
  llvm::Value *amount = method->name == "add" ? rvalue(*call.argumentsByParameter[1]) : b.getInt32(1);
  llvm::AllocaInst *key = cx.entryAlloca(cx.i32(), "counter_index");
  b.CreateStore(index, key);
  llvm::Value *value = cx.mapLookup(map, key);
  llvm::BasicBlock *found = cx.newBlock("counter_found");
  llvm::BasicBlock *missing = cx.newBlock("counter_missing");
  llvm::BasicBlock *done = cx.newBlock("counter_done");
  b.CreateCondBr(b.CreateIsNull(value), missing, found);
  b.SetInsertPoint(found);
  b.CreateAtomicRMW(llvm::AtomicRMWInst::Add, value, amount, llvm::MaybeAlign(4), llvm::AtomicOrdering::Monotonic);
  b.CreateBr(done);
  b.SetInsertPoint(missing);
  // Sparse counters (hash maps) start at the first increment; array
  // counters past max_index are not counted.
  if (counter->second.sparse) {
    llvm::AllocaInst *initial = cx.entryAlloca(cx.i32(), "counter_initial");
    b.CreateStore(amount, initial);
    cx.mapUpdate(map, key, initial, kNoExist);
  }
  b.CreateBr(done);
  b.SetInsertPoint(done);
  return nullptr;
}

llvm::Value *BodyLowerer::lowerExternFunction(const CallExpr &call) {
  llvm::IRBuilder<> &b = cx.builder;
  const std::string &name = call.target->name;
  const std::vector<Expr *> &args = call.argumentsByParameter;
  auto arg32 = [&](size_t i) { return b.CreateZExt(rvalue(*args[i]), cx.i32()); };
  if (name == "verify") {
    lowerVerify(call);
    return nullptr;
  }
  if (name == "static_assert") {
    const Expr &check = *args[0];
    if (!check.constant) {
      cx.error(check.loc, "static_assert needs a compile-time condition");
    } else if (check.constant->value.isZero()) {
      std::string message = args.size() > 1 && args[1] && args[1]->constant ? args[1]->constant->text : "";
      cx.error(call.loc, "static assertion failed" + (message.empty() ? std::string() : ": " + message));
    }
    return b.getTrue();
  }
  if (name == "ebpf_ipv4_checksum") {
    // The 16-bit words of an IPv4 header without options, checksum zero.
    llvm::Value *sum = b.CreateOr(b.CreateOr(b.CreateShl(arg32(0), 12), b.CreateShl(arg32(1), 8)), arg32(2));
    sum = b.CreateAdd(sum, arg32(3));
    sum = b.CreateAdd(sum, arg32(4));
    sum = b.CreateAdd(sum, b.CreateOr(b.CreateShl(arg32(5), 13), arg32(6)));
    sum = b.CreateAdd(sum, b.CreateOr(b.CreateShl(arg32(7), 8), arg32(8)));
    for (size_t i : {9u, 10u}) {
      llvm::Value *address = arg32(i);
      sum = b.CreateAdd(sum, b.CreateLShr(address, 16));
      sum = b.CreateAdd(sum, b.CreateAnd(address, b.getInt32(0xffff)));
    }
    return finishChecksum(b, sum);
  }
  if (name == "csum_replace2" || name == "csum_replace4") {
    // RFC 1624, eq. 3: HC' = ~(~HC + ~m + m').
    llvm::Value *sum = b.CreateAnd(b.CreateNot(arg32(0)), b.getInt32(0xffff));
    llvm::Value *oldValue = arg32(1);
    llvm::Value *newValue = arg32(2);
    auto addWords = [&](llvm::Value *value, bool complement) {
      llvm::Value *words[2] = {b.CreateLShr(value, 16), b.CreateAnd(value, b.getInt32(0xffff))};
      for (llvm::Value *w : words)
        sum = b.CreateAdd(sum, complement ? b.CreateAnd(b.CreateNot(w), b.getInt32(0xffff)) : w);
    };
    if (name == "csum_replace2") {
      sum = b.CreateAdd(sum, b.CreateAnd(b.CreateNot(oldValue), b.getInt32(0xffff)));
      sum = b.CreateAdd(sum, newValue);
    } else {
      addWords(oldValue, true);
      addWords(newValue, false);
    }
    return finishChecksum(b, sum);
  }
  if (name == "BPF_KTIME_GET_NS")
    return b.CreateTrunc(cx.callHelper("ktime_get_ns", cx.i64(), {}), cx.i32());
  cx.unsupported(call.loc, "extern function '" + name + "'");
  return nullptr;
}

void BodyLowerer::lowerEmit(const Expr &value, Loc loc) {
  llvm::IRBuilder<> &b = cx.builder;
  const Type *t = value.type;
  std::function<void(llvm::Value *, const Type *)> emit = [&](llvm::Value *address, const Type *type) {
    switch (type->kind) {
    case TypeKind::Struct:
    case TypeKind::HeaderUnion:
      for (unsigned i = 0; i < type->fields.size(); ++i)
        emit(cx.fieldAddress(address, type, i), type->fields[i].type);
      return;
    case TypeKind::Stack: {
      const Layout &element = cx.layouts.of(type->underlying);
      for (unsigned i = 0; i < type->size; ++i)
        emit(cx.byteAddress(address, i * element.size), type->underlying);
      return;
    }
    case TypeKind::Header: break;
    default:
      cx.unsupported(loc, "emitting a value of type '" + type->toString() + "'");
      return;
    }
    unsigned fixedBits = fixedHeaderBits(type);
    unsigned varbitMax = varbitMaximumBits(type);
    if (fixedBits % 8 || varbitMax % 8) {
      cx.unsupported(loc, "emitting header '" + type->name + "', whose fixed part is " + std::to_string(fixedBits) +
                              " bits (not whole bytes),");
      return;
    }
    llvm::BasicBlock *valid = cx.newBlock("emit_" + type->name);
    llvm::BasicBlock *done = cx.newBlock("emitted_" + type->name);
    b.CreateCondBr(b.CreateICmpNE(b.CreateLoad(cx.i8(), cx.validAddress(address, type)), b.getInt8(0)), valid, done);
    b.SetInsertPoint(valid);
    llvm::Value *offset = b.CreateLoad(cx.i64(), deparser->offset);
    uint64_t fixedBytes = fixedBits / 8;
    llvm::Value *varbitBytes = nullptr;
    llvm::Value *varbitField = nullptr;
    if (varbitMax) {
      varbitField = cx.fieldAddress(address, type, static_cast<unsigned>(type->fields.size() - 1));
      varbitBytes = b.CreateZExt(b.CreateLShr(b.CreateLoad(cx.i32(), varbitField), 3), cx.i64());
    }
    if (!deparser->measuring) {
      llvm::Value *bytes = packet.checkedPointer(offset, fixedBytes, deparser->fail);
      std::vector<PacketAccess::FieldBits> fields;
      uint64_t bit = 0;
      for (unsigned i = 0; i < type->fields.size(); ++i) {
        const Type *ft = type->fields[i].type;
        if (ft->kind == TypeKind::Varbit)
          continue;
        unsigned width = serializedBits(ft);
        fields.push_back({bit, width, cx.loadValue(cx.fieldAddress(address, type, i), ft)});
        bit += width;
      }
      packet.writeFields(bytes, fields, fixedBytes);
      if (varbitMax) {
        llvm::Value *data = cx.byteAddress(varbitField, cx.layouts.of(type->fields.back().type).dataOffset);
        llvm::Value *start = b.CreateAdd(offset, b.getInt64(fixedBytes));
        for (unsigned k = 0; k < varbitMax / 8; ++k) {
          llvm::BasicBlock *copy = cx.newBlock("emit_varbit_byte");
          llvm::BasicBlock *next = cx.newBlock("emit_varbit_next");
          b.CreateCondBr(b.CreateICmpULT(b.getInt64(k), varbitBytes), copy, next);
          b.SetInsertPoint(copy);
          llvm::Value *target = packet.checkedPointer(b.CreateAdd(start, b.getInt64(k)), 1, deparser->fail);
          b.CreateStore(b.CreateLoad(cx.i8(), cx.byteAddress(data, k)), target);
          b.CreateBr(next);
          b.SetInsertPoint(next);
        }
      }
    }
    llvm::Value *size = b.getInt64(fixedBytes);
    if (varbitBytes)
      size = b.CreateAdd(size, varbitBytes);
    b.CreateStore(b.CreateAdd(offset, size), deparser->offset);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  };
  cx.at(loc);
  LValue place = value.isLvalue ? lvalue(value) : LValue{rvalue(value), t};
  emit(place.address, t);
}

} // namespace ebpfc::p4

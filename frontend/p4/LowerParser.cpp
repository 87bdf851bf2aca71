// Parser state machines and packet_in (see BodyLowerer.h). The cursor is a
// byte offset; every read is checked against data_end and failing checks
// reject the packet with the P4 error the specification names.
#include "frontend/p4/BodyLowerer.h"

#include <llvm/IR/Constants.h>

namespace ebpfc::p4 {

namespace {

unsigned errorCode(const LoweringContext &cx, const char *name) {
  for (size_t i = 0; i < cx.checked.errorNames.size(); ++i)
    if (cx.checked.errorNames[i] == name)
      return static_cast<unsigned>(i);
  return 0;
}

// A field's value as its P4 type stores it, from the raw bits read.
llvm::Value *fromBits(LoweringContext &cx, llvm::Value *bits, const Type *type) {
  if (type->kind == TypeKind::Bool)
    return cx.builder.CreateICmpNE(bits, llvm::ConstantInt::get(bits->getType(), 0));
  return bits;
}

} // namespace

void BodyLowerer::lowerParser(const BlockTypeDecl &decl, ParserFrame &frame) {
  llvm::IRBuilder<> &b = cx.builder;
  parser = &frame;
  for (const DeclarationPtr &local : decl.locals)
    if (local->kind == DeclarationKind::ValueSet && local->type)
      declareValueSet(*local->as<ValueSetDecl>(), decl);
  bindControlLocals(decl);
  std::map<const Declaration *, llvm::BasicBlock *> blocks;
  for (const auto &state : decl.states) {
    if (state->builtin)
      blocks[state.get()] = state->name == "accept" ? frame.accept : frame.reject;
    else
      blocks[state.get()] = cx.newBlock("state_" + state->name);
  }
  const StateDecl *start = nullptr;
  for (const auto &state : decl.states)
    if (state->name == "start")
      start = state.get();
  b.CreateBr(blocks[start]);

  for (const auto &statePtr : decl.states) {
    const StateDecl &state = *statePtr;
    if (state.builtin)
      continue;
    b.SetInsertPoint(blocks[&state]);
    cx.at(state.loc);
    for (const StatementPtr &s : state.statements)
      lowerStatement(*s);
    const Transition &t = state.transition;
    cx.at(t.loc.valid() ? t.loc : state.loc);
    switch (t.kind) {
    case Transition::Kind::None:
      b.CreateBr(frame.reject);
      break;
    case Transition::Kind::Direct:
      b.CreateBr(blocks[t.target]);
      break;
    case Transition::Kind::Select: {
      std::vector<llvm::Value *> keys;
      for (const ExprPtr &k : t.selectKeys)
        keys.push_back(rvalue(*k));
      for (const SelectCase &c : t.cases) {
        cx.at(c.loc);
        std::vector<const Expr *> elements;
        if (c.keyset->kind == ExprKind::List && keys.size() > 1)
          for (const ExprPtr &e : c.keyset->as<ListExpr>()->elements)
            elements.push_back(e.get());
        else if (c.keyset->kind == ExprKind::Default || c.keyset->kind == ExprKind::DontCare)
          elements.assign(keys.size(), c.keyset.get());
        else
          elements.push_back(c.keyset.get());
        llvm::Value *match = b.getTrue();
        if (c.keyset->type && c.keyset->type->kind == TypeKind::ValueSet) {
          match = valueSetContains(*c.keyset->as<NameExpr>()->declaration, keys);
          elements.clear();
        }
        for (size_t i = 0; i < elements.size() && i < keys.size(); ++i) {
          const Expr &k = *elements[i];
          llvm::Value *key = keys[i];
          const Type *keyType = t.selectKeys[i]->type;
          bool isSigned = keyType->bitsRepresentation() && keyType->bitsRepresentation()->isSigned;
          switch (k.kind) {
          case ExprKind::Default:
          case ExprKind::DontCare:
            break;
          case ExprKind::Mask: {
            llvm::Value *mask = rvalue(*k.as<MaskExpr>()->mask);
            llvm::Value *value = rvalue(*k.as<MaskExpr>()->value);
            match = b.CreateAnd(match, b.CreateICmpEQ(b.CreateAnd(key, mask), b.CreateAnd(value, mask)));
            break;
          }
          case ExprKind::Range: {
            llvm::Value *low = rvalue(*k.as<RangeExpr>()->low);
            llvm::Value *high = rvalue(*k.as<RangeExpr>()->high);
            llvm::Value *above = isSigned ? b.CreateICmpSGE(key, low) : b.CreateICmpUGE(key, low);
            llvm::Value *below = isSigned ? b.CreateICmpSLE(key, high) : b.CreateICmpULE(key, high);
            match = b.CreateAnd(match, b.CreateAnd(above, below));
            break;
          }
          default:
            match = b.CreateAnd(match, b.CreateICmpEQ(key, rvalue(k)));
            break;
          }
        }
        llvm::BasicBlock *next = cx.newBlock("select_next");
        b.CreateCondBr(match, blocks[c.target], next);
        b.SetInsertPoint(next);
      }
      b.CreateStore(b.getInt32(errorCode(cx, "NoMatch")), frame.error);
      b.CreateBr(frame.reject);
      break;
    }
    }
  }
  // The stacks' `next` indexes go back to memory on both exits.
  for (llvm::BasicBlock *exit : {frame.accept, frame.reject}) {
    b.SetInsertPoint(exit);
    for (auto &[key, local] : frame.stackIndexes) {
      llvm::Value *address = b.CreateInBoundsGEP(cx.i8(), const_cast<llvm::Value *>(key.first), b.getInt64(key.second));
      b.CreateStore(b.CreateLoad(cx.i32(), local), address);
    }
  }
  parser = nullptr;
}

// A value set is a hash map "<parser>_<name>" whose keys are the set's
// values (laid out like the element type); the control plane fills it.
void BodyLowerer::declareValueSet(const ValueSetDecl &set, const BlockTypeDecl &parserDecl) {
  const Type *element = set.type->underlying;
  const Layout &layout = cx.layouts.of(element);
  MapSpec spec;
  spec.name = externalName(&parserDecl, set.name);
  spec.type = ir::MapType::Hash;
  spec.maxEntries = std::max(1u, set.type->size);
  spec.keyType = layout.debugType;
  spec.valueType = cx.debug.integerType(4, false);
  spec.loc = set.loc;
  ValueSetInfo &info = valueSets[&set];
  info.map = cx.defineMap(spec);
  info.key = cx.scratchBytes(layout.size, layout.align, spec.name + "_key", layout.debugType);
}

llvm::Value *BodyLowerer::valueSetContains(const Declaration &set, const std::vector<llvm::Value *> &keys) {
  llvm::IRBuilder<> &b = cx.builder;
  const ValueSetInfo &info = valueSets.at(&set);
  const Type *element = set.type->underlying;
  const Layout &layout = cx.layouts.of(element);
  b.CreateMemSet(info.key, b.getInt8(0), layout.size, llvm::MaybeAlign(layout.align));
  if (element->kind == TypeKind::Struct || element->kind == TypeKind::Tuple) {
    for (unsigned i = 0; i < element->fields.size() && i < keys.size(); ++i)
      cx.storeValue(cx.fieldAddress(info.key, element, i), element->fields[i].type, keys[i]);
  } else {
    cx.storeValue(info.key, element, keys[0]);
  }
  return b.CreateIsNotNull(cx.mapLookup(info.map, info.key));
}

void BodyLowerer::lowerVerify(const CallExpr &call) {
  llvm::IRBuilder<> &b = cx.builder;
  if (!parser) {
    cx.error(call.loc, "verify can only be called in a parser");
    return;
  }
  llvm::Value *ok = rvalue(*call.argumentsByParameter[0]);
  llvm::Value *error = rvalue(*call.argumentsByParameter[1]);
  llvm::BasicBlock *fail = cx.newBlock("verify_failed");
  llvm::BasicBlock *pass = cx.newBlock("verified");
  b.CreateCondBr(ok, pass, fail);
  b.SetInsertPoint(fail);
  b.CreateStore(error, parser->error);
  b.CreateBr(parser->reject);
  b.SetInsertPoint(pass);
}

llvm::Value *BodyLowerer::lowerPacketInCall(const CallExpr &call, const MethodDecl &method) {
  llvm::IRBuilder<> &b = cx.builder;
  if (!parser) {
    cx.unsupported(call.loc, "packet_in." + method.name + " outside a parser");
    return nullptr;
  }
  // Rejects with `error` from a fresh block; returns that block.
  auto failWith = [&](const char *error) {
    llvm::BasicBlock *here = b.GetInsertBlock();
    llvm::BasicBlock *fail = cx.newBlock(std::string("fail_") + error);
    b.SetInsertPoint(fail);
    b.CreateStore(b.getInt32(errorCode(cx, error)), parser->error);
    b.CreateBr(parser->reject);
    b.SetInsertPoint(here);
    return fail;
  };
  llvm::Value *cursor = b.CreateLoad(cx.i64(), parser->cursor);

  if (method.name == "length")
    return b.CreateTrunc(packet.length(), cx.i32());

  if (method.name == "advance") {
    llvm::Value *bits = b.CreateZExt(rvalue(*call.argumentsByParameter[0]), cx.i64());
    if (auto *constant = llvm::dyn_cast<llvm::ConstantInt>(bits); constant && constant->getZExtValue() % 8) {
      cx.unsupported(call.loc, "advancing by a number of bits that is not a multiple of 8");
      return nullptr;
    }
    if (!llvm::isa<llvm::ConstantInt>(bits)) {
      llvm::BasicBlock *aligned = cx.newBlock("advance_aligned");
      b.CreateCondBr(b.CreateICmpNE(b.CreateAnd(bits, b.getInt64(7)), b.getInt64(0)),
                     failWith("ParserInvalidArgument"), aligned);
      b.SetInsertPoint(aligned);
    }
    llvm::Value *next = b.CreateAdd(cursor, b.CreateLShr(bits, 3));
    packet.checkedPointer(next, 0, failWith("PacketTooShort"));
    b.CreateStore(next, parser->cursor);
    return nullptr;
  }

  if (method.name == "lookahead") {
    const Type *t = call.type;
    unsigned bits = serializedBits(t);
    if (bits == 0 || (t->kind != TypeKind::Bits && t->kind != TypeKind::Header && t->kind != TypeKind::Bool &&
                      !t->isSerializableEnum())) {
      cx.unsupported(call.loc, "lookahead of '" + t->toString() + "'");
      return nullptr;
    }
    llvm::Value *bytes = packet.checkedPointer(cursor, (bits + 7) / 8, failWith("PacketTooShort"));
    if (t->kind != TypeKind::Header)
      return fromBits(cx, packet.readBits(bytes, 0, bits), t);
    llvm::Value *header = cx.scratch(t, "lookahead");
    uint64_t offset = 0;
    for (unsigned i = 0; i < t->fields.size(); ++i) {
      const Type *ft = t->fields[i].type;
      unsigned width = serializedBits(ft);
      cx.storeValue(cx.fieldAddress(header, t, i), ft, fromBits(cx, packet.readBits(bytes, offset, width), ft));
      offset += width;
    }
    b.CreateStore(b.getInt8(1), cx.validAddress(header, t));
    return header;
  }

  // extract(hdr) and extract(hdr, varbitBits)
  const Expr &targetExpr = *call.argumentsByParameter[0];
  const Type *t = targetExpr.type;
  if (t->kind != TypeKind::Header) {
    cx.unsupported(call.loc, "extracting a value of type '" + t->toString() + "' (only headers)");
    return nullptr;
  }
  unsigned fixedBits = fixedHeaderBits(t);
  unsigned varbitMax = varbitMaximumBits(t);
  bool twoArguments = call.argumentsByParameter.size() > 1 && call.argumentsByParameter[1];
  if (varbitMax && !twoArguments) {
    cx.error(call.loc, "header '" + t->name + "' has a varbit field: extract it with two arguments");
    return nullptr;
  }
  if (!varbitMax && twoArguments) {
    cx.error(call.loc, "header '" + t->name + "' has no varbit field: extract it with one argument");
    return nullptr;
  }
  if (fixedBits % 8 || varbitMax % 8) {
    cx.unsupported(call.loc, "extracting header '" + t->name + "', whose fixed part is " + std::to_string(fixedBits) +
                                 " bits (not whole bytes),");
    return nullptr;
  }
  if (varbitMax && t->fields.back().type->kind != TypeKind::Varbit) {
    cx.unsupported(call.loc, "a varbit field that is not the last field of its header");
    return nullptr;
  }
  LValue target = lvalue(targetExpr);
  // For stack.next the element index moves on after a successful extract.
  const Expr *stack = nullptr;
  if (targetExpr.kind == ExprKind::Member && targetExpr.as<MemberExpr>()->member == "next" &&
      targetExpr.as<MemberExpr>()->base->type->kind == TypeKind::Stack)
    stack = targetExpr.as<MemberExpr>()->base.get();

  uint64_t fixedBytes = fixedBits / 8;
  llvm::BasicBlock *tooShort = failWith("PacketTooShort");
  llvm::Value *bytes = packet.checkedPointer(cursor, fixedBytes, tooShort);
  uint64_t offset = 0;
  for (unsigned i = 0; i < t->fields.size(); ++i) {
    const Type *ft = t->fields[i].type;
    if (ft->kind == TypeKind::Varbit)
      continue;
    unsigned width = serializedBits(ft);
    if (!cx.layouts.valueType(ft)) {
      cx.unsupported(t->fields[i].loc, "a struct-typed header field");
      return nullptr;
    }
    cx.storeValue(cx.fieldAddress(target.address, t, i), ft, fromBits(cx, packet.readBits(bytes, offset, width), ft));
    offset += width;
  }
  llvm::Value *consumed = b.getInt64(fixedBytes);
  if (varbitMax) {
    llvm::Value *bits = b.CreateZExt(rvalue(*call.argumentsByParameter[1]), cx.i64());
    llvm::BasicBlock *fits = cx.newBlock("varbit_fits");
    b.CreateCondBr(b.CreateICmpUGT(bits, b.getInt64(varbitMax)), failWith("HeaderTooShort"), fits);
    b.SetInsertPoint(fits);
    llvm::BasicBlock *aligned = cx.newBlock("varbit_aligned");
    b.CreateCondBr(b.CreateICmpNE(b.CreateAnd(bits, b.getInt64(7)), b.getInt64(0)), failWith("ParserInvalidArgument"),
                   aligned);
    b.SetInsertPoint(aligned);
    llvm::Value *length = b.CreateLShr(bits, 3);
    unsigned index = static_cast<unsigned>(t->fields.size() - 1);
    const Type *varbitType = t->fields[index].type;
    llvm::Value *field = cx.fieldAddress(target.address, t, index);
    b.CreateStore(b.CreateTrunc(bits, cx.i32()), field);
    llvm::Value *data = cx.byteAddress(field, cx.layouts.of(varbitType).dataOffset);
    llvm::Value *start = b.CreateAdd(cursor, b.getInt64(fixedBytes));
    // One checked byte at a time: each access is then provably in bounds.
    for (unsigned k = 0; k < varbitMax / 8; ++k) {
      llvm::BasicBlock *copy = cx.newBlock("varbit_byte");
      llvm::BasicBlock *next = cx.newBlock("varbit_next");
      b.CreateCondBr(b.CreateICmpULT(b.getInt64(k), length), copy, next);
      b.SetInsertPoint(copy);
      llvm::Value *source = packet.checkedPointer(b.CreateAdd(start, b.getInt64(k)), 1, tooShort);
      b.CreateStore(b.CreateLoad(cx.i8(), source), cx.byteAddress(data, k));
      b.CreateBr(next);
      b.SetInsertPoint(next);
    }
    consumed = b.CreateAdd(consumed, length);
  }
  b.CreateStore(b.getInt8(1), cx.validAddress(target.address, t));
  // A header union holds one valid member at a time.
  if (targetExpr.kind == ExprKind::Member) {
    const auto *member = targetExpr.as<MemberExpr>();
    if (member->base->type->kind == TypeKind::HeaderUnion) {
      LValue unionPlace = lvalue(*member->base);
      const Type *u = member->base->type;
      for (unsigned i = 0; i < u->fields.size(); ++i)
        if (u->fields[i].name != member->member)
          b.CreateStore(b.getInt8(0), cx.validAddress(cx.fieldAddress(unionPlace.address, u, i), u->fields[i].type));
    }
  }
  if (stack) {
    LValue stackPlace = lvalue(*stack);
    llvm::Value *nextAddress = nextIndexPlace(stackPlace.address, stack->type);
    b.CreateStore(b.CreateAdd(b.CreateLoad(cx.i32(), nextAddress), b.getInt32(1)), nextAddress);
  }
  b.CreateStore(b.CreateAdd(cursor, consumed), parser->cursor);
  return nullptr;
}

} // namespace ebpfc::p4

// Statements, expressions, calls and copy-in/copy-out (see BodyLowerer.h).
#include "frontend/p4/BodyLowerer.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Intrinsics.h>

#include <set>

namespace ebpfc::p4 {

namespace {

const Expr *stripImplicitCasts(const Expr *e) {
  while (e->kind == ExprKind::Cast && e->as<CastExpr>()->implicit && e->type == e->as<CastExpr>()->operand->type)
    e = e->as<CastExpr>()->operand.get();
  return e;
}

bool isSignedType(const Type *t) {
  const Type *bits = t->bitsRepresentation();
  return bits && bits->isSigned;
}

} // namespace

std::string BodyLowerer::externalName(const BlockTypeDecl *control, const std::string &name) {
  return control ? control->name + "_" + name : name;
}

std::string BodyLowerer::scopedName(const BlockTypeDecl *control, const std::string &name) const {
  if (control && control->kind == DeclarationKind::Control && !controlPath_.empty())
    return controlPath_ + "_" + name;
  return externalName(control, name);
}

bool BodyLowerer::isAggregate(const Type *type) const {
  switch (type->kind) {
  case TypeKind::Struct:
  case TypeKind::Header:
  case TypeKind::HeaderUnion:
  case TypeKind::Stack:
  case TypeKind::Tuple:
  case TypeKind::List:
  case TypeKind::Varbit:
    return true;
  default:
    return false;
  }
}

// ====================================================================== statements

void BodyLowerer::lowerBlock(const BlockStatement &block) {
  for (const StatementPtr &s : block.statements)
    lowerStatement(*s);
}

void BodyLowerer::declareVariable(const VariableDecl &variable) {
  const Type *type = variable.type;
  Binding binding;
  binding.type = type;
  if (isAggregate(type)) {
    binding.address = cx.scratch(type, variable.name);
    // A variable's headers start invalid every time its declaration runs.
    cx.invalidateHeaders(binding.address, type);
  } else if (llvm::Type *valueType = cx.layouts.valueType(type)) {
    binding.address = cx.entryAlloca(cx.layouts.of(type).storage, variable.name);
    cx.storeValue(binding.address, type, llvm::Constant::getNullValue(valueType));
  } else {
    cx.unsupported(variable.loc, "a variable of type '" + type->toString() + "'");
    return;
  }
  bindings[&variable] = binding;
  if (variable.initializer)
    assign(LValue{binding.address, type}, *variable.initializer);
}

void BodyLowerer::lowerStatement(const Statement &s) {
  cx.at(s.loc);
  llvm::IRBuilder<> &b = cx.builder;
  switch (s.kind) {
  case StatementKind::Assignment: lowerAssignment(*s.as<AssignmentStatement>()); return;
  case StatementKind::MethodCall: lowerCall(*s.as<MethodCallStatement>()->call->as<CallExpr>()); return;
  case StatementKind::DirectApplication: {
    auto *d = s.as<DirectApplicationStatement>();
    const Type *type = d->applied->resolved;
    if (!type || type->kind != TypeKind::Control) {
      cx.unsupported(s.loc, "applying a parser from a parser state (sub-parsers)");
      return;
    }
    // The arguments were bound by the type checker in parameter order.
    std::vector<Expr *> arguments(type->parameters.size(), nullptr);
    for (size_t i = 0; i < d->arguments.size() && i < arguments.size(); ++i)
      arguments[i] = d->arguments[i].value.get();
    const auto *control = static_cast<const BlockTypeDecl *>(type->declaration);
    inlineSubControl(*control, control->name, arguments, s.loc);
    return;
  }
  case StatementKind::If: {
    auto *i = s.as<IfStatement>();
    llvm::Value *cond = condition(*i->condition);
    llvm::BasicBlock *thenBlock = cx.newBlock("if_then");
    llvm::BasicBlock *elseBlock = i->elseBranch ? cx.newBlock("if_else") : nullptr;
    llvm::BasicBlock *done = cx.newBlock("if_end");
    b.CreateCondBr(cond, thenBlock, elseBlock ? elseBlock : done);
    b.SetInsertPoint(thenBlock);
    lowerStatement(*i->thenBranch);
    b.CreateBr(done);
    if (elseBlock) {
      b.SetInsertPoint(elseBlock);
      lowerStatement(*i->elseBranch);
      b.CreateBr(done);
    }
    b.SetInsertPoint(done);
    return;
  }
  case StatementKind::Block: lowerBlock(*s.as<BlockStatement>()); return;
  case StatementKind::Empty: return;
  case StatementKind::Return: lowerReturn(*s.as<ReturnStatement>()); return;
  case StatementKind::Exit:
    b.CreateBr(exitBlock_);
    cx.continueAfterTerminator();
    return;
  case StatementKind::Break:
  case StatementKind::Continue:
    b.CreateBr(s.kind == StatementKind::Break ? loopFrames_.back().breakBlock : loopFrames_.back().continueBlock);
    cx.continueAfterTerminator();
    return;
  case StatementKind::Switch: lowerSwitch(*s.as<SwitchStatement>()); return;
  case StatementKind::ForLoop: {
    auto *f = s.as<ForLoopStatement>();
    for (const StatementPtr &init : f->initializers)
      lowerStatement(*init);
    llvm::BasicBlock *head = cx.newBlock("for_head");
    llvm::BasicBlock *body = cx.newBlock("for_body");
    llvm::BasicBlock *update = cx.newBlock("for_update");
    llvm::BasicBlock *done = cx.newBlock("for_end");
    b.CreateBr(head);
    b.SetInsertPoint(head);
    if (f->condition)
      b.CreateCondBr(condition(*f->condition), body, done);
    else
      b.CreateBr(body);
    b.SetInsertPoint(body);
    loopFrames_.push_back({done, update});
    lowerStatement(*f->body);
    loopFrames_.pop_back();
    b.CreateBr(update);
    b.SetInsertPoint(update);
    for (const StatementPtr &u : f->updates)
      lowerStatement(*u);
    b.CreateBr(head);
    b.SetInsertPoint(done);
    return;
  }
  case StatementKind::ForIn: {
    auto *f = s.as<ForInStatement>();
    if (!f->rangeEnd) {
      cx.unsupported(s.loc, "iterating over a collection with 'for ... in'");
      return;
    }
    // for (T v in a .. b): v runs from a to b inclusive.
    auto *variable = f->variable->as<VariableDecl>();
    declareVariable(*variable);
    LValue v{bindings[variable].address, variable->type};
    store(v, rvalue(*f->collection));
    llvm::Value *last = rvalue(*f->rangeEnd);
    llvm::BasicBlock *head = cx.newBlock("for_head");
    llvm::BasicBlock *body = cx.newBlock("for_body");
    llvm::BasicBlock *update = cx.newBlock("for_update");
    llvm::BasicBlock *done = cx.newBlock("for_end");
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::Value *current = load(v);
    b.CreateCondBr(isSignedType(variable->type) ? b.CreateICmpSLE(current, last) : b.CreateICmpULE(current, last),
                   body, done);
    b.SetInsertPoint(body);
    loopFrames_.push_back({done, update});
    lowerStatement(*f->body);
    loopFrames_.pop_back();
    b.CreateBr(update);
    b.SetInsertPoint(update);
    llvm::Value *now = load(v);
    store(v, b.CreateAdd(now, llvm::ConstantInt::get(now->getType(), 1)));
    b.CreateCondBr(b.CreateICmpEQ(now, last), done, head);
    b.SetInsertPoint(done);
    return;
  }
  case StatementKind::Declaration: {
    const Declaration &d = *s.as<DeclarationStatement>()->declaration;
    if (d.kind == DeclarationKind::Variable) {
      declareVariable(*d.as<VariableDecl>());
    } else if (d.kind == DeclarationKind::Constant && d.type && isAggregate(d.type)) {
      Binding binding;
      binding.type = d.type;
      binding.address = lowerAggregate(*d.as<ConstantDecl>()->value, d.type);
      bindings[&d] = binding;
    }
    return;
  }
  }
}

void BodyLowerer::lowerAssignment(const AssignmentStatement &a) {
  LValue place = lvalue(*a.target);
  if (!a.compound) {
    assign(place, *a.value);
    return;
  }
  // "a op= b": the place is evaluated once.
  llvm::Value *current = load(place);
  llvm::Value *operand = rvalue(*a.value);
  store(place, binaryValue(*a.compound, current, operand, a.target->type, a.loc));
}

void BodyLowerer::lowerReturn(const ReturnStatement &r) {
  CallFrame &frame = callFrames_.back();
  if (r.value && frame.returnValue) {
    if (isAggregate(frame.returnType))
      storeAggregate(frame.returnValue, frame.returnType, *r.value);
    else
      cx.storeValue(frame.returnValue, frame.returnType, rvalue(*r.value));
  }
  cx.builder.CreateBr(frame.returnBlock);
  cx.continueAfterTerminator();
}

void BodyLowerer::lowerSwitch(const SwitchStatement &s) {
  llvm::IRBuilder<> &b = cx.builder;
  llvm::Value *selector = nullptr;
  const Type *t = s.selector->type;
  bool actionRun = t->kind == TypeKind::ActionEnum;
  if (actionRun) {
    // The selector is t.apply().action_run: apply the table first.
    const auto *member = s.selector->as<MemberExpr>();
    rvalue(*member->base);
    selector = tableResults[member->base->as<CallExpr>()].actionRun;
  } else {
    selector = rvalue(*s.selector);
  }
  llvm::BasicBlock *done = cx.newBlock("switch_end");
  llvm::BasicBlock *defaultBlock = done;
  std::vector<llvm::BasicBlock *> bodies;
  for (const SwitchStatement::Case &c : s.cases)
    bodies.push_back(c.body ? cx.newBlock("switch_case") : nullptr);
  // Labels without a body fall through to the next case's body.
  std::vector<llvm::BasicBlock *> targets(s.cases.size(), done);
  llvm::BasicBlock *next = done;
  for (size_t i = s.cases.size(); i-- > 0;) {
    if (bodies[i])
      next = bodies[i];
    targets[i] = next;
  }
  llvm::SwitchInst *sw = b.CreateSwitch(selector, done);
  std::set<uint64_t> used;
  for (size_t i = 0; i < s.cases.size(); ++i) {
    const SwitchStatement::Case &c = s.cases[i];
    if (c.label->kind == ExprKind::Default) {
      defaultBlock = targets[i];
      continue;
    }
    llvm::ConstantInt *value = nullptr;
    if (actionRun) {
      const TableInfo &info = tableInfo(*t->table);
      auto *action = static_cast<const ActionDecl *>(c.label->as<NameExpr>()->declaration);
      value = b.getInt32(info.actionIds.at(action));
    } else {
      value = llvm::cast<llvm::ConstantInt>(cx.constantValue(*c.label->constant, t));
    }
    if (used.insert(value->getZExtValue()).second)
      sw->addCase(value, targets[i]);
  }
  sw->setDefaultDest(defaultBlock);
  for (size_t i = 0; i < s.cases.size(); ++i) {
    if (!bodies[i])
      continue;
    b.SetInsertPoint(bodies[i]);
    lowerBlock(*s.cases[i].body);
    b.CreateBr(done);
  }
  b.SetInsertPoint(done);
}

// ====================================================================== controls

void BodyLowerer::bindControlLocals(const BlockTypeDecl &control) {
  for (const DeclarationPtr &local : control.locals) {
    cx.at(local->loc);
    switch (local->kind) {
    case DeclarationKind::Variable: declareVariable(*local->as<VariableDecl>()); break;
    case DeclarationKind::Instance: declareInstance(*local->as<InstanceDecl>(), &control); break;
    case DeclarationKind::Constant:
      if (local->type && isAggregate(local->type)) {
        Binding binding;
        binding.type = local->type;
        binding.address = lowerAggregate(*local->as<ConstantDecl>()->value, local->type);
        bindings[local.get()] = binding;
      }
      break;
    default: break; // actions and tables are lowered where they are used
    }
  }
}

void BodyLowerer::lowerControlBody(const BlockTypeDecl &control, llvm::BasicBlock *exitBlock) {
  exitBlock_ = exitBlock;
  controlPath_ = control.name;
  bindControlLocals(control);
  callFrames_.push_back({exitBlock, nullptr, nullptr});
  lowerBlock(*control.body);
  callFrames_.pop_back();
  cx.builder.CreateBr(exitBlock);
}

void BodyLowerer::inlineSubControl(const BlockTypeDecl &control, const std::string &instance,
                                   const std::vector<Expr *> &arguments, Loc loc) {
  std::vector<WriteBack> writeBacks = bindParameters(control.parameters, arguments, nullptr);
  const std::string outerPath = controlPath_;
  controlPath_ = (outerPath.empty() ? "" : outerPath + "_") + instance;
  bindControlLocals(control);
  llvm::BasicBlock *done = cx.newBlock("control_end");
  callFrames_.push_back({done, nullptr, nullptr});
  lowerBlock(*control.body);
  callFrames_.pop_back();
  controlPath_ = outerPath;
  cx.builder.CreateBr(done);
  cx.builder.SetInsertPoint(done);
  cx.at(loc);
  runWriteBacks(writeBacks);
}

// ====================================================================== calls

std::vector<BodyLowerer::WriteBack> BodyLowerer::bindParameters(const ParameterList &parameters,
                                                                const std::vector<Expr *> &arguments,
                                                                const std::vector<llvm::Value *> *data) {
  std::vector<WriteBack> writeBacks;
  // Arguments are evaluated before any parameter is bound (copy-in).
  std::vector<Binding> bound(parameters.size());
  for (size_t i = 0; i < parameters.size(); ++i) {
    const ParameterDecl &p = *parameters[i];
    const Type *type = p.type;
    Expr *argument = i < arguments.size() ? arguments[i] : nullptr;
    Binding binding;
    binding.type = type;
    if (!argument && data && i < data->size() && (*data)[i]) {
      if (isAggregate(type))
        binding.address = (*data)[i];
      else
        binding.value = (*data)[i];
      bound[i] = binding;
      continue;
    }
    if (!argument)
      argument = p.defaultValue.get();
    bool isOut = p.direction == Direction::Out || p.direction == Direction::InOut;
    if (!isOut) {
      if (!argument) {
        // An optional parameter left out: a zero value.
        if (isAggregate(type))
          binding.address = cx.scratch(type, p.name);
        else if (llvm::Type *vt = cx.layouts.valueType(type))
          binding.value = llvm::Constant::getNullValue(vt);
      } else if (isAggregate(type)) {
        binding.address = rvalue(*argument);
      } else {
        binding.value = rvalue(*argument);
      }
      bound[i] = binding;
      continue;
    }
    bool discard = !argument || argument->kind == ExprKind::DontCare;
    if (isAggregate(type)) {
      if (discard) {
        binding.address = cx.scratch(type, p.name);
      } else {
        LValue place = lvalue(*argument);
        if (place.isSlice) {
          cx.unsupported(argument->loc, "passing a slice as an aggregate out argument");
          continue;
        }
        binding.address = place.address; // by reference: in P4 nothing else can see it meanwhile
      }
      if (p.direction == Direction::Out)
        cx.invalidateHeaders(binding.address, type);
      bound[i] = binding;
      continue;
    }
    llvm::Type *storage = cx.layouts.of(type).storage;
    binding.address = cx.entryAlloca(storage, p.name);
    if (discard) {
      cx.storeValue(binding.address, type, llvm::Constant::getNullValue(cx.layouts.valueType(type)));
    } else {
      LValue place = lvalue(*argument);
      cx.storeValue(binding.address, type,
                    p.direction == Direction::InOut ? load(place)
                                                    : llvm::Constant::getNullValue(cx.layouts.valueType(type)));
      writeBacks.push_back({place, binding.address, type});
    }
    bound[i] = binding;
  }
  for (size_t i = 0; i < parameters.size(); ++i)
    bindings[parameters[i].get()] = bound[i];
  return writeBacks;
}

void BodyLowerer::runWriteBacks(const std::vector<WriteBack> &writeBacks) {
  for (const WriteBack &w : writeBacks)
    store(w.target, cx.loadValue(w.temporary, w.type));
}

void BodyLowerer::inlineAction(const ActionDecl &action, const std::vector<Expr *> &arguments,
                               const std::vector<llvm::Value *> &data, Loc loc) {
  std::vector<WriteBack> writeBacks = bindParameters(action.parameters, arguments, &data);
  llvm::BasicBlock *done = cx.newBlock("action_end");
  callFrames_.push_back({done, nullptr, nullptr});
  lowerBlock(*action.body);
  callFrames_.pop_back();
  cx.builder.CreateBr(done);
  cx.builder.SetInsertPoint(done);
  cx.at(loc);
  runWriteBacks(writeBacks);
}

llvm::Value *BodyLowerer::inlineFunction(const FunctionDecl &function, const CallExpr &call) {
  if (!function.typeParameters.empty()) {
    cx.unsupported(call.loc, "calling a generic function");
    return nullptr;
  }
  const Type *returnType = function.type->returnType;
  if (isAggregate(returnType)) {
    cx.unsupported(call.loc, "a function returning a struct or header");
    return nullptr;
  }
  CallFrame frame;
  frame.returnType = returnType;
  if (returnType->kind != TypeKind::Void)
    frame.returnValue = cx.entryAlloca(cx.layouts.of(returnType).storage, function.name + "_result");
  std::vector<WriteBack> writeBacks = bindParameters(function.parameters, call.argumentsByParameter, nullptr);
  frame.returnBlock = cx.newBlock("function_end");
  callFrames_.push_back(frame);
  lowerBlock(*function.body);
  callFrames_.pop_back();
  cx.builder.CreateBr(frame.returnBlock);
  cx.builder.SetInsertPoint(frame.returnBlock);
  cx.at(call.loc);
  runWriteBacks(writeBacks);
  return frame.returnValue ? cx.loadValue(frame.returnValue, returnType) : nullptr;
}

llvm::Value *BodyLowerer::lowerCall(const CallExpr &call) {
  cx.at(call.loc);
  llvm::IRBuilder<> &b = cx.builder;
  auto objectPlace = [&]() -> LValue {
    const Expr &base = *call.callee->as<MemberExpr>()->base;
    if (base.isLvalue)
      return lvalue(base);
    return LValue{rvalue(base), base.type};
  };
  switch (call.callKind) {
  case CallKind::IsValid: {
    LValue object = objectPlace();
    const Type *t = object.type;
    if (t->kind == TypeKind::Header)
      return b.CreateICmpNE(b.CreateLoad(cx.i8(), cx.validAddress(object.address, t)), b.getInt8(0));
    llvm::Value *any = b.getFalse();
    for (unsigned i = 0; i < t->fields.size(); ++i) {
      const Type *member = t->fields[i].type;
      llvm::Value *valid = b.CreateLoad(cx.i8(), cx.validAddress(cx.fieldAddress(object.address, t, i), member));
      any = b.CreateOr(any, b.CreateICmpNE(valid, b.getInt8(0)));
    }
    return any;
  }
  case CallKind::SetValid:
  case CallKind::SetInvalid: {
    LValue object = objectPlace();
    b.CreateStore(b.getInt8(call.callKind == CallKind::SetValid ? 1 : 0), cx.validAddress(object.address, object.type));
    // In a header union at most one member is valid.
    const Expr &base = *call.callee->as<MemberExpr>()->base;
    if (call.callKind == CallKind::SetValid && base.kind == ExprKind::Member) {
      const auto *member = base.as<MemberExpr>();
      if (member->base->type->kind == TypeKind::HeaderUnion) {
        LValue unionPlace = lvalue(*member->base);
        const Type *u = member->base->type;
        for (unsigned i = 0; i < u->fields.size(); ++i)
          if (u->fields[i].name != member->member)
            b.CreateStore(b.getInt8(0), cx.validAddress(cx.fieldAddress(unionPlace.address, u, i), u->fields[i].type));
      }
    }
    return nullptr;
  }
  case CallKind::PushFront:
  case CallKind::PopFront: {
    LValue stack = objectPlace();
    const Type *t = stack.type;
    unsigned count = static_cast<unsigned>(call.argumentsByParameter[0]->constant->value.getZExtValue());
    const Layout &element = cx.layouts.of(t->underlying);
    auto at = [&](unsigned i) { return cx.byteAddress(stack.address, i * element.size); };
    if (call.callKind == CallKind::PushFront) {
      for (unsigned i = t->size; i-- > count;)
        cx.copyBytes(at(i), at(i - count), element.size);
      for (unsigned i = 0; i < count && i < t->size; ++i)
        cx.invalidateHeaders(at(i), t->underlying);
    } else {
      for (unsigned i = 0; i + count < t->size; ++i)
        cx.copyBytes(at(i), at(i + count), element.size);
      for (unsigned i = t->size > count ? t->size - count : 0; i < t->size; ++i)
        cx.invalidateHeaders(at(i), t->underlying);
    }
    llvm::Value *nextAddress = nextIndexPlace(stack.address, t);
    llvm::Value *next = b.CreateLoad(cx.i32(), nextAddress);
    llvm::Value *moved = call.callKind == CallKind::PushFront
                             ? b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, b.CreateAdd(next, b.getInt32(count)),
                                                       b.getInt32(t->size))
                             : b.CreateBinaryIntrinsic(llvm::Intrinsic::usub_sat, next, b.getInt32(count));
    b.CreateStore(moved, nextAddress);
    return nullptr;
  }
  case CallKind::Action: {
    inlineAction(*call.target->as<ActionDecl>(), call.argumentsByParameter, {}, call.loc);
    return nullptr;
  }
  case CallKind::Function: return inlineFunction(*call.target->as<FunctionDecl>(), call);
  case CallKind::ExternFunction: return lowerExternFunction(call);
  case CallKind::ExternMethod: {
    const auto *method = call.target->as<MethodDecl>();
    const std::string &owner = method->owner ? method->owner->name : std::string();
    if (owner == "packet_in")
      return lowerPacketInCall(call, *method);
    if (owner == "packet_out") {
      if (!deparser) {
        cx.unsupported(call.loc, "packet_out outside the deparser of the xdp architecture");
        return nullptr;
      }
      lowerEmit(*call.argumentsByParameter[0], call.loc);
      return nullptr;
    }
    return lowerExternMethod(call);
  }
  case CallKind::Apply: {
    if (call.target->kind == DeclarationKind::Table) {
      tableResults[&call] = applyTable(*call.target->as<TableDecl>(), call.loc);
      return nullptr;
    }
    if (call.target->kind == DeclarationKind::Control) {
      const auto *control = call.target->as<BlockTypeDecl>();
      // `c1.apply(...)`: named after the instance c1.
      std::string instance = control->name;
      if (call.callee && call.callee->kind == ExprKind::Member)
        if (const Expr *base = static_cast<const MemberExpr *>(call.callee.get())->base.get();
            base && base->kind == ExprKind::Name)
          instance = static_cast<const NameExpr *>(base)->name;
      inlineSubControl(*control, instance, call.argumentsByParameter, call.loc);
      return nullptr;
    }
    cx.unsupported(call.loc, "applying a parser from a parser state (sub-parsers)");
    return nullptr;
  }
  case CallKind::Unresolved: break;
  }
  cx.unsupported(call.loc, "this call");
  return nullptr;
}

// ====================================================================== expressions

LValue BodyLowerer::lvalue(const Expr &e) {
  llvm::IRBuilder<> &b = cx.builder;
  switch (e.kind) {
  case ExprKind::Name: {
    const Declaration *decl = e.as<NameExpr>()->declaration;
    auto it = bindings.find(decl);
    if (it == bindings.end()) {
      cx.unsupported(e.loc, "using '" + e.as<NameExpr>()->name + "' here");
      return LValue{cx.scratch(e.type, "invalid"), e.type};
    }
    Binding &binding = it->second;
    if (!binding.address) {
      // A read-only scalar used where a place is needed (e.g. its slice).
      llvm::AllocaInst *copy = cx.entryAlloca(cx.layouts.of(e.type).storage, decl->name);
      cx.storeValue(copy, e.type, binding.value);
      return LValue{copy, e.type};
    }
    return LValue{binding.address, binding.type};
  }
  case ExprKind::Member: {
    const auto *m = e.as<MemberExpr>();
    const Type *baseType = m->base->type;
    LValue base = m->base->isLvalue ? lvalue(*m->base) : LValue{rvalue(*m->base), baseType};
    if (baseType->isStructLike()) {
      int index = baseType->fieldIndex(m->member);
      return LValue{cx.fieldAddress(base.address, baseType, static_cast<unsigned>(index)),
                    baseType->fields[index].type};
    }
    if (baseType->kind == TypeKind::Stack) {
      llvm::Value *next = stackNextIndex(base.address, baseType);
      llvm::Value *index = m->member == "next" ? next : b.CreateSub(next, b.getInt32(1));
      return LValue{stackElement(base, index, e.loc), baseType->underlying};
    }
    break;
  }
  case ExprKind::Index: {
    const auto *i = e.as<IndexExpr>();
    const Type *baseType = i->base->type;
    LValue base = i->base->isLvalue ? lvalue(*i->base) : LValue{rvalue(*i->base), baseType};
    if (baseType->kind == TypeKind::Tuple) {
      unsigned index = static_cast<unsigned>(i->index->constant->value.getZExtValue());
      return LValue{cx.fieldAddress(base.address, baseType, index), baseType->fields[index].type};
    }
    llvm::Value *index = b.CreateZExtOrTrunc(rvalue(*i->index), cx.i32());
    return LValue{stackElement(base, index, e.loc), baseType->underlying};
  }
  case ExprKind::Slice: {
    const auto *s = e.as<SliceExpr>();
    LValue base = lvalue(*s->base);
    unsigned high = static_cast<unsigned>(s->high->constant->value.getZExtValue());
    unsigned low = static_cast<unsigned>(s->low->constant->value.getZExtValue());
    if (base.isSlice) {
      base.low += low;
      base.width = high - low + 1;
      return base;
    }
    base.isSlice = true;
    base.low = low;
    base.width = high - low + 1;
    return base;
  }
  case ExprKind::VariableSlice: {
    const auto *s = e.as<VariableSliceExpr>();
    LValue base = lvalue(*s->base);
    if (base.isSlice) {
      cx.unsupported(e.loc, "a variable slice of a slice");
      return base;
    }
    base.isSlice = true;
    base.width = static_cast<unsigned>(s->width->constant->value.getZExtValue());
    base.dynamicLow = rvalue(*s->low);
    return base;
  }
  default:
    break;
  }
  // Not a place: evaluate into a temporary.
  if (isAggregate(e.type))
    return LValue{rvalue(e), e.type};
  llvm::AllocaInst *temporary = cx.entryAlloca(cx.layouts.of(e.type).storage, "temporary");
  cx.storeValue(temporary, e.type, rvalue(e));
  return LValue{temporary, e.type};
}

llvm::Value *BodyLowerer::stackNextIndex(llvm::Value *stackAddress, const Type *stackType) {
  return cx.builder.CreateLoad(cx.i32(), nextIndexPlace(stackAddress, stackType));
}

// While a parser runs, the index of each stack's `next` element lives in a
// local (a register after optimization): the verifier then knows its value
// on every path and sees that parser loops over a stack end. The parser's
// exits store the locals back (see lowerParser).
llvm::Value *BodyLowerer::nextIndexPlace(llvm::Value *stackAddress, const Type *stackType) {
  llvm::Value *memory = cx.byteAddress(stackAddress, cx.layouts.of(stackType).nextIndexOffset);
  if (!parser)
    return memory;
  llvm::APInt offset(64, 0);
  const llvm::Value *base = memory->stripAndAccumulateConstantOffsets(cx.module->getDataLayout(), offset, true);
  auto key = std::make_pair(base, offset.getSExtValue());
  auto it = parser->stackIndexes.find(key);
  if (it != parser->stackIndexes.end())
    return it->second;
  llvm::AllocaInst *local = cx.entryAlloca(cx.i32(), "next_index");
  // Stacks start empty in the parser: its headers are out parameters or
  // its own locals.
  llvm::IRBuilder<> entry(cx.function->getEntryBlock().getTerminator());
  entry.CreateStore(entry.getInt32(0), local);
  parser->stackIndexes[key] = local;
  return local;
}

// Elements past the end: a parser rejects with StackOutOfBounds; elsewhere
// the last element stands in (the specification leaves the result undefined).
llvm::Value *BodyLowerer::stackElement(const LValue &stack, llvm::Value *index, Loc loc) {
  llvm::IRBuilder<> &b = cx.builder;
  const Type *t = stack.type;
  const Layout &element = cx.layouts.of(t->underlying);
  if (auto *constant = llvm::dyn_cast<llvm::ConstantInt>(index))
    if (constant->getZExtValue() < t->size)
      return cx.byteAddress(stack.address, constant->getZExtValue() * element.size);
  llvm::Value *inside = b.CreateICmpULT(index, b.getInt32(t->size));
  if (parser) {
    llvm::BasicBlock *ok = cx.newBlock("stack_index_ok");
    llvm::BasicBlock *fail = cx.newBlock("stack_out_of_bounds");
    b.CreateCondBr(inside, ok, fail);
    b.SetInsertPoint(fail);
    unsigned code = 0;
    for (size_t i = 0; i < cx.checked.errorNames.size(); ++i)
      if (cx.checked.errorNames[i] == "StackOutOfBounds")
        code = static_cast<unsigned>(i);
    b.CreateStore(b.getInt32(code), parser->error);
    b.CreateBr(parser->reject);
    b.SetInsertPoint(ok);
  } else {
    index = b.CreateSelect(inside, index, b.getInt32(t->size - 1));
  }
  llvm::Value *offset = b.CreateMul(b.CreateZExt(index, cx.i64()), b.getInt64(element.size));
  return b.CreateInBoundsGEP(cx.i8(), stack.address, offset);
}

llvm::Value *BodyLowerer::load(const LValue &place) {
  if (!place.isSlice) {
    if (isAggregate(place.type))
      return place.address;
    return cx.loadValue(place.address, place.type);
  }
  llvm::IRBuilder<> &b = cx.builder;
  llvm::Value *full = cx.loadValue(place.address, place.type);
  llvm::Value *shift = place.dynamicLow ? b.CreateZExtOrTrunc(place.dynamicLow, full->getType())
                                        : llvm::ConstantInt::get(full->getType(), place.low);
  return b.CreateTrunc(b.CreateLShr(full, shift), b.getIntNTy(place.width));
}

void BodyLowerer::store(const LValue &place, llvm::Value *value) {
  llvm::IRBuilder<> &b = cx.builder;
  if (!place.isSlice) {
    if (isAggregate(place.type)) {
      if (value != place.address)
        cx.copyBytes(place.address, value, cx.layouts.of(place.type).size);
      return;
    }
    cx.storeValue(place.address, place.type, value);
    return;
  }
  llvm::Value *full = cx.loadValue(place.address, place.type);
  llvm::Type *t = full->getType();
  llvm::Value *shift = place.dynamicLow ? b.CreateZExtOrTrunc(place.dynamicLow, t) : llvm::ConstantInt::get(t, place.low);
  llvm::Value *ones = llvm::ConstantInt::get(t, llvm::APInt::getLowBitsSet(t->getIntegerBitWidth(), place.width));
  llvm::Value *mask = b.CreateShl(ones, shift);
  llvm::Value *inserted = b.CreateShl(b.CreateZExt(value, t), shift);
  cx.storeValue(place.address, place.type, b.CreateOr(b.CreateAnd(full, b.CreateNot(mask)), b.CreateAnd(inserted, mask)));
}

void BodyLowerer::assign(const LValue &place, const Expr &value) {
  if (!place.isSlice && isAggregate(place.type)) {
    storeAggregate(place.address, place.type, value);
    return;
  }
  store(place, rvalue(value));
}

// Writes an aggregate value in place: list and struct expressions field by
// field (a header becomes valid), {#} as an invalid header, anything else
// by copying.
void BodyLowerer::storeAggregate(llvm::Value *address, const Type *type, const Expr &value) {
  llvm::IRBuilder<> &b = cx.builder;
  const Expr &v = *stripImplicitCasts(&value);
  if (v.kind == ExprKind::InvalidHeader) {
    cx.invalidateHeaders(address, type);
    return;
  }
  if (v.kind == ExprKind::List && (type->isStructLike() || type->kind == TypeKind::Tuple)) {
    const auto *list = v.as<ListExpr>();
    // Elements are evaluated before anything is written (they may read the target).
    std::vector<llvm::Value *> scalars(list->elements.size(), nullptr);
    for (size_t i = 0; i < list->elements.size(); ++i)
      if (!isAggregate(type->fields[i].type))
        scalars[i] = rvalue(*list->elements[i]);
    for (size_t i = 0; i < list->elements.size(); ++i) {
      llvm::Value *field = cx.fieldAddress(address, type, static_cast<unsigned>(i));
      if (scalars[i])
        cx.storeValue(field, type->fields[i].type, scalars[i]);
      else
        storeAggregate(field, type->fields[i].type, *list->elements[i]);
    }
    if (type->kind == TypeKind::Header)
      b.CreateStore(b.getInt8(1), cx.validAddress(address, type));
    return;
  }
  if (v.kind == ExprKind::List && type->kind == TypeKind::Stack) {
    const auto *list = v.as<ListExpr>();
    const Layout &element = cx.layouts.of(type->underlying);
    for (size_t i = 0; i < list->elements.size(); ++i)
      storeAggregate(cx.byteAddress(address, i * element.size), type->underlying, *list->elements[i]);
    return;
  }
  if (v.kind == ExprKind::StructInit) {
    const auto *init = v.as<StructInitExpr>();
    if (init->hasDots)
      cx.zeroBytes(address, cx.layouts.of(type).size);
    std::vector<std::pair<int, llvm::Value *>> scalars;
    for (const auto &f : init->fields) {
      int index = type->fieldIndex(f.name);
      if (!isAggregate(type->fields[index].type))
        scalars.emplace_back(index, rvalue(*f.value));
    }
    for (auto &[index, value] : scalars)
      cx.storeValue(cx.fieldAddress(address, type, static_cast<unsigned>(index)), type->fields[index].type, value);
    for (const auto &f : init->fields) {
      int index = type->fieldIndex(f.name);
      if (isAggregate(type->fields[index].type))
        storeAggregate(cx.fieldAddress(address, type, static_cast<unsigned>(index)), type->fields[index].type, *f.value);
    }
    if (type->kind == TypeKind::Header)
      b.CreateStore(b.getInt8(1), cx.validAddress(address, type));
    return;
  }
  llvm::Value *source = rvalue(v);
  if (source && source != address)
    cx.copyBytes(address, source, cx.layouts.of(type).size);
}

llvm::Value *BodyLowerer::lowerAggregate(const Expr &expr, const Type *type) {
  llvm::Value *address = cx.scratch(type, "value");
  storeAggregate(address, type, expr);
  return address;
}

llvm::Value *BodyLowerer::rvalue(const Expr &e) {
  llvm::IRBuilder<> &b = cx.builder;
  const Type *t = e.type;
  if (e.constant && e.constant->kind != Constant::Kind::String && cx.layouts.valueType(t))
    return cx.constantValue(*e.constant, t);
  switch (e.kind) {
  case ExprKind::Name: {
    const Declaration *decl = e.as<NameExpr>()->declaration;
    auto it = bindings.find(decl);
    if (it != bindings.end()) {
      if (it->second.value)
        return it->second.value;
      return load(LValue{it->second.address, it->second.type});
    }
    if (decl && decl->kind == DeclarationKind::Constant && isAggregate(t))
      return lowerAggregate(*decl->as<ConstantDecl>()->value, t);
    cx.unsupported(e.loc, "using '" + e.as<NameExpr>()->name + "' as a value here");
    return llvm::UndefValue::get(cx.layouts.valueType(t) ? cx.layouts.valueType(t) : cx.pointer());
  }
  case ExprKind::Member: {
    const auto *m = e.as<MemberExpr>();
    const Type *baseType = m->base->type;
    if (baseType->kind == TypeKind::TableApplyResult) {
      rvalue(*m->base);
      const TableResult &r = tableResults[m->base->as<CallExpr>()];
      if (m->member == "hit")
        return r.hit;
      if (m->member == "miss")
        return b.CreateNot(r.hit);
      return r.actionRun;
    }
    if (baseType->kind == TypeKind::Stack && m->member == "lastIndex") {
      LValue stack = m->base->isLvalue ? lvalue(*m->base) : LValue{rvalue(*m->base), baseType};
      return b.CreateSub(stackNextIndex(stack.address, baseType), b.getInt32(1));
    }
    return load(lvalue(e));
  }
  case ExprKind::Index:
  case ExprKind::Slice:
  case ExprKind::VariableSlice:
    return load(lvalue(e));
  case ExprKind::Call: {
    llvm::Value *result = lowerCall(*e.as<CallExpr>());
    if (!result && t->kind != TypeKind::Void && t->kind != TypeKind::TableApplyResult && cx.layouts.valueType(t))
      return llvm::UndefValue::get(cx.layouts.valueType(t));
    return result;
  }
  case ExprKind::Cast: return lowerCast(*e.as<CastExpr>());
  case ExprKind::Unary: {
    const auto *u = e.as<UnaryExpr>();
    llvm::Value *v = rvalue(*u->operand);
    switch (u->op) {
    case UnaryOp::Not: return b.CreateNot(v);
    case UnaryOp::Complement: return b.CreateNot(v);
    case UnaryOp::Negate: return b.CreateNeg(v);
    case UnaryOp::Plus: return v;
    }
    return v;
  }
  case ExprKind::Binary: return lowerBinary(*e.as<BinaryExpr>());
  case ExprKind::Conditional: return lowerConditional(*e.as<ConditionalExpr>());
  case ExprKind::List:
  case ExprKind::StructInit:
  case ExprKind::InvalidHeader:
    return lowerAggregate(e, t);
  default:
    break;
  }
  cx.unsupported(e.loc, "this expression");
  return llvm::UndefValue::get(cx.layouts.valueType(t) ? cx.layouts.valueType(t) : cx.pointer());
}

llvm::Value *BodyLowerer::lowerCast(const CastExpr &c) {
  llvm::IRBuilder<> &b = cx.builder;
  const Type *from = c.operand->type;
  const Type *to = c.type;
  if (isAggregate(to))
    return lowerAggregate(*c.operand, to);
  llvm::Value *v = rvalue(*c.operand);
  llvm::Type *target = cx.layouts.valueType(to);
  if (!target || !v)
    return v;
  if (to->kind == TypeKind::Bool)
    return b.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  if (from->kind == TypeKind::Bool)
    return b.CreateZExt(v, target);
  if (v->getType() == target)
    return v;
  return isSignedType(from) ? b.CreateSExtOrTrunc(v, target) : b.CreateZExtOrTrunc(v, target);
}

llvm::Value *BodyLowerer::lowerConditional(const ConditionalExpr &c) {
  llvm::IRBuilder<> &b = cx.builder;
  llvm::Value *cond = condition(*c.condition);
  llvm::BasicBlock *yes = cx.newBlock("cond_true");
  llvm::BasicBlock *no = cx.newBlock("cond_false");
  llvm::BasicBlock *done = cx.newBlock("cond_end");
  b.CreateCondBr(cond, yes, no);
  b.SetInsertPoint(yes);
  llvm::Value *a = rvalue(*c.ifTrue);
  llvm::BasicBlock *yesEnd = b.GetInsertBlock();
  b.CreateBr(done);
  b.SetInsertPoint(no);
  llvm::Value *z = rvalue(*c.ifFalse);
  llvm::BasicBlock *noEnd = b.GetInsertBlock();
  b.CreateBr(done);
  b.SetInsertPoint(done);
  llvm::PHINode *phi = b.CreatePHI(a->getType(), 2);
  phi->addIncoming(a, yesEnd);
  phi->addIncoming(z, noEnd);
  return phi;
}

llvm::Value *BodyLowerer::lowerShortCircuit(const BinaryExpr &e) {
  llvm::IRBuilder<> &b = cx.builder;
  llvm::Value *left = rvalue(*e.left);
  llvm::BasicBlock *leftEnd = b.GetInsertBlock();
  llvm::BasicBlock *right = cx.newBlock(e.op == BinaryOp::And ? "and_rhs" : "or_rhs");
  llvm::BasicBlock *done = cx.newBlock("logic_end");
  if (e.op == BinaryOp::And)
    b.CreateCondBr(left, right, done);
  else
    b.CreateCondBr(left, done, right);
  b.SetInsertPoint(right);
  llvm::Value *r = rvalue(*e.right);
  llvm::BasicBlock *rightEnd = b.GetInsertBlock();
  b.CreateBr(done);
  b.SetInsertPoint(done);
  llvm::PHINode *phi = b.CreatePHI(b.getInt1Ty(), 2);
  phi->addIncoming(b.getInt1(e.op == BinaryOp::Or), leftEnd);
  phi->addIncoming(r, rightEnd);
  return phi;
}

llvm::Value *BodyLowerer::equalAggregates(llvm::Value *a, llvm::Value *z, const Type *type) {
  llvm::IRBuilder<> &b = cx.builder;
  switch (type->kind) {
  case TypeKind::Header: {
    // Equal when both are invalid, or both valid with equal fields.
    llvm::Value *va = b.CreateICmpNE(b.CreateLoad(cx.i8(), cx.validAddress(a, type)), b.getInt8(0));
    llvm::Value *vz = b.CreateICmpNE(b.CreateLoad(cx.i8(), cx.validAddress(z, type)), b.getInt8(0));
    llvm::Value *fields = b.getTrue();
    for (unsigned i = 0; i < type->fields.size(); ++i)
      fields = b.CreateAnd(fields, equalAggregates(cx.fieldAddress(a, type, i), cx.fieldAddress(z, type, i),
                                                   type->fields[i].type));
    return b.CreateOr(b.CreateAnd(b.CreateNot(va), b.CreateNot(vz)), b.CreateAnd(b.CreateAnd(va, vz), fields));
  }
  case TypeKind::Struct:
  case TypeKind::Tuple:
  case TypeKind::HeaderUnion: {
    llvm::Value *all = b.getTrue();
    for (unsigned i = 0; i < type->fields.size(); ++i)
      all = b.CreateAnd(all, equalAggregates(cx.fieldAddress(a, type, i), cx.fieldAddress(z, type, i),
                                             type->fields[i].type));
    return all;
  }
  case TypeKind::Stack: {
    const Layout &element = cx.layouts.of(type->underlying);
    llvm::Value *all = b.getTrue();
    for (unsigned i = 0; i < type->size; ++i)
      all = b.CreateAnd(all, equalAggregates(cx.byteAddress(a, i * element.size), cx.byteAddress(z, i * element.size),
                                             type->underlying));
    return all;
  }
  default:
    if (!cx.layouts.valueType(type))
      return b.getTrue();
    return b.CreateICmpEQ(cx.loadValue(a, type), cx.loadValue(z, type));
  }
}

llvm::Value *BodyLowerer::lowerBinary(const BinaryExpr &e) {
  if (e.op == BinaryOp::And || e.op == BinaryOp::Or)
    return lowerShortCircuit(e);
  llvm::IRBuilder<> &b = cx.builder;
  const Type *lt = e.left->type;
  if ((e.op == BinaryOp::Eq || e.op == BinaryOp::Ne) && isAggregate(lt)) {
    llvm::Value *equal = equalAggregates(rvalue(*e.left), rvalue(*e.right), lt);
    return e.op == BinaryOp::Eq ? equal : b.CreateNot(equal);
  }
  llvm::Value *l = rvalue(*e.left);
  llvm::Value *r = rvalue(*e.right);
  return binaryValue(e.op, l, r, lt, e.opLoc);
}

llvm::Value *BodyLowerer::binaryValue(BinaryOp op, llvm::Value *l, llvm::Value *r, const Type *leftType, Loc opLoc) {
  llvm::IRBuilder<> &b = cx.builder;
  bool isSigned = isSignedType(leftType);
  unsigned width = l->getType()->getIntegerBitWidth();
  auto wide = [&](const char *what) {
    if (width > 64) {
      cx.unsupported(opLoc, std::string(what) + " on values wider than 64 bits");
      return true;
    }
    return false;
  };
  switch (op) {
  case BinaryOp::Add: return b.CreateAdd(l, r);
  case BinaryOp::Sub: return b.CreateSub(l, r);
  case BinaryOp::Mul:
    if (wide("'*'")) return l;
    return b.CreateMul(l, r);
  case BinaryOp::Div:
  case BinaryOp::Mod: {
    if (wide(op == BinaryOp::Div ? "'/'" : "'%'")) return l;
    // P4 leaves division by zero undefined; LLVM must not see it at all.
    llvm::Value *isZero = b.CreateICmpEQ(r, llvm::ConstantInt::get(r->getType(), 0));
    llvm::Value *safe = b.CreateSelect(isZero, llvm::ConstantInt::get(r->getType(), 1), r);
    llvm::Value *q = op == BinaryOp::Div ? b.CreateUDiv(l, safe) : b.CreateURem(l, safe);
    return b.CreateSelect(isZero, llvm::ConstantInt::get(l->getType(), 0), q);
  }
  case BinaryOp::SatAdd:
    return b.CreateBinaryIntrinsic(isSigned ? llvm::Intrinsic::sadd_sat : llvm::Intrinsic::uadd_sat, l, r);
  case BinaryOp::SatSub:
    return b.CreateBinaryIntrinsic(isSigned ? llvm::Intrinsic::ssub_sat : llvm::Intrinsic::usub_sat, l, r);
  case BinaryOp::Concat: {
    unsigned rw = r->getType()->getIntegerBitWidth();
    llvm::Type *t = b.getIntNTy(width + rw);
    return b.CreateOr(b.CreateShl(b.CreateZExt(l, t), rw), b.CreateZExt(r, t));
  }
  case BinaryOp::Shl:
  case BinaryOp::Shr: {
    // P4: shifting by the width or more gives 0 (or all sign bits).
    if (auto *amount = llvm::dyn_cast<llvm::ConstantInt>(r)) {
      uint64_t n = amount->getValue().getActiveBits() > 32 ? width : amount->getZExtValue();
      if (n >= width)
        return op == BinaryOp::Shr && isSigned ? b.CreateAShr(l, width - 1) : llvm::ConstantInt::get(l->getType(), 0);
      if (op == BinaryOp::Shl) return b.CreateShl(l, n);
      return isSigned ? b.CreateAShr(l, n) : b.CreateLShr(l, n);
    }
    if (wide("shifting by a run-time amount")) return l;
    unsigned rw = r->getType()->getIntegerBitWidth();
    llvm::Type *common = b.getIntNTy(std::max(width, rw));
    llvm::Value *tooFar = b.CreateICmpUGE(b.CreateZExt(r, common), llvm::ConstantInt::get(common, width));
    llvm::Value *n = b.CreateZExtOrTrunc(r, l->getType());
    llvm::Value *shifted = op == BinaryOp::Shl ? b.CreateShl(l, n) : isSigned ? b.CreateAShr(l, n) : b.CreateLShr(l, n);
    llvm::Value *saturated = op == BinaryOp::Shr && isSigned ? b.CreateAShr(l, width - 1)
                                                            : llvm::ConstantInt::get(l->getType(), 0);
    return b.CreateSelect(tooFar, saturated, shifted);
  }
  case BinaryOp::BitAnd: return b.CreateAnd(l, r);
  case BinaryOp::BitOr: return b.CreateOr(l, r);
  case BinaryOp::BitXor: return b.CreateXor(l, r);
  case BinaryOp::Eq: return b.CreateICmpEQ(l, r);
  case BinaryOp::Ne: return b.CreateICmpNE(l, r);
  case BinaryOp::Lt: return isSigned ? b.CreateICmpSLT(l, r) : b.CreateICmpULT(l, r);
  case BinaryOp::Le: return isSigned ? b.CreateICmpSLE(l, r) : b.CreateICmpULE(l, r);
  case BinaryOp::Gt: return isSigned ? b.CreateICmpSGT(l, r) : b.CreateICmpUGT(l, r);
  case BinaryOp::Ge: return isSigned ? b.CreateICmpSGE(l, r) : b.CreateICmpUGE(l, r);
  case BinaryOp::And: return b.CreateAnd(l, r);
  case BinaryOp::Or: return b.CreateOr(l, r);
  }
  return l;
}

} // namespace ebpfc::p4

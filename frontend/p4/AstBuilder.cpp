#include "frontend/p4/AstBuilder.h"

#include "P4Lexer.h"

#include <antlr4-runtime.h>

namespace ebpfc::p4 {

namespace {

using P = grammar::P4Parser;

class Builder {
public:
  Builder(const SourceMap &map, ir::DiagnosticEngine &diags) : map_(map), diags_(diags) {}

  std::unique_ptr<Program> program(P::ProgramContext *ctx) {
    auto program = std::make_unique<Program>();
    for (P::DeclarationContext *d : ctx->declaration())
      if (DeclarationPtr decl = declaration(d))
        program->declarations.push_back(std::move(decl));
    return failed_ ? nullptr : std::move(program);
  }

private:
  // ---------------------------------------------------------------- helpers

  Loc loc(antlr4::Token *token) const {
    return map_.locate(token->getLine(), token->getCharPositionInLine() + 1);
  }
  Loc loc(antlr4::ParserRuleContext *ctx) const { return loc(ctx->getStart()); }
  Loc loc(antlr4::tree::TerminalNode *node) const { return loc(node->getSymbol()); }

  void error(Loc at, std::string message) {
    failed_ = true;
    diags_.error(map_.toSourceLocation(at), std::move(message));
  }

  // Two '>' tokens make a shift only when nothing separates them.
  void checkAdjacent(antlr4::tree::TerminalNode *first, antlr4::tree::TerminalNode *second, const char *what) {
    if (first->getSymbol()->getStopIndex() + 1 != second->getSymbol()->getStartIndex())
      error(loc(second), std::string("unexpected '>': write '") + what + "' without spaces");
  }

  std::string name(P::NameContext *ctx) { return ctx->getText(); }

  // ---------------------------------------------------------------- annotations

  std::vector<Annotation> annotations(P::AnnotationsContext *ctx) {
    std::vector<Annotation> out;
    if (!ctx)
      return out;
    for (P::AnnotationContext *a : ctx->annotation()) {
      Annotation annotation;
      annotation.loc = loc(a);
      if (auto *e = dynamic_cast<P::EmptyAnnotationContext *>(a)) {
        annotation.name = name(e->name());
      } else if (auto *u = dynamic_cast<P::UnstructuredAnnotationContext *>(a)) {
        annotation.name = name(u->name());
        collectTokens(u->annotationBody(), annotation.tokens);
      } else if (auto *s = dynamic_cast<P::StructuredAnnotationContext *>(a)) {
        annotation.name = name(s->name());
        annotation.structured = true;
        P::StructuredAnnotationBodyContext *body = s->structuredAnnotationBody();
        if (body->expressionList())
          for (P::ExpressionContext *e : body->expressionList()->expression())
            annotation.expressions.push_back(expression(e));
        for (P::KvPairContext *kv : body->kvPair())
          annotation.expressions.push_back(expression(kv->expression()));
      } else if (auto *p = dynamic_cast<P::PragmaAnnotationContext *>(a)) {
        annotation.name = "pragma";
        annotation.tokens.push_back(p->getText());
      }
      out.push_back(std::move(annotation));
    }
    return out;
  }

  void collectTokens(P::AnnotationBodyContext *ctx, std::vector<std::string> &tokens) {
    for (antlr4::tree::ParseTree *child : ctx->children) {
      if (auto *nested = dynamic_cast<P::AnnotationBodyContext *>(child)) {
        collectTokens(nested, tokens);
      } else if (auto *token = dynamic_cast<P::AnnotationTokenContext *>(child)) {
        tokens.push_back(token->getText());
      } else {
        tokens.push_back(child->getText()); // the parentheses of a nested body
      }
    }
  }

  // ---------------------------------------------------------------- declarations

  DeclarationPtr declaration(P::DeclarationContext *ctx) {
    if (auto *c = ctx->constantDeclaration()) return constantDeclaration(c);
    if (auto *e = ctx->externDeclaration()) return externDeclaration(e);
    if (auto *a = ctx->actionDeclaration()) return actionDeclaration(a);
    if (auto *p = ctx->parserDeclaration()) return parserDeclaration(p);
    if (auto *t = ctx->typeDeclaration()) return typeDeclaration(t);
    if (auto *c = ctx->controlDeclaration()) return controlDeclaration(c);
    if (auto *i = ctx->instantiation()) return instantiation(i);
    if (auto *e = ctx->errorDeclaration()) return memberList(DeclarationKind::ErrorMembers, loc(e), e->name());
    if (auto *m = ctx->matchKindDeclaration())
      return memberList(DeclarationKind::MatchKindMembers, loc(m), m->name());
    if (auto *f = ctx->functionDeclaration()) return functionDeclaration(f);
    return nullptr;
  }

  DeclarationPtr memberList(DeclarationKind kind, Loc at, const std::vector<P::NameContext *> &names) {
    auto decl = std::make_unique<MemberListDecl>(kind, at);
    for (P::NameContext *n : names) {
      auto member = std::make_unique<MemberDecl>(loc(n), name(n));
      member->index = static_cast<unsigned>(decl->members.size());
      decl->members.push_back(std::move(member));
    }
    return decl;
  }

  std::unique_ptr<ConstantDecl> constantDeclaration(P::ConstantDeclarationContext *ctx) {
    auto decl = std::make_unique<ConstantDecl>(loc(ctx->name()), name(ctx->name()));
    decl->annotations = annotations(ctx->annotations());
    decl->typeExpr = typeRef(ctx->typeRef());
    decl->value = expression(ctx->expression());
    return decl;
  }

  std::unique_ptr<VariableDecl> variableDeclaration(P::VariableDeclarationWithoutSemicolonContext *ctx) {
    auto decl = std::make_unique<VariableDecl>(loc(ctx->name()), name(ctx->name()));
    decl->annotations = annotations(ctx->annotations());
    decl->typeExpr = typeRef(ctx->typeRef());
    if (ctx->expression())
      decl->initializer = expression(ctx->expression());
    return decl;
  }

  ParameterList parameters(P::ParameterListContext *ctx) {
    ParameterList out;
    if (!ctx)
      return out;
    for (P::ParameterContext *p : ctx->parameter()) {
      auto param = std::make_unique<ParameterDecl>(loc(p->name()), name(p->name()));
      param->annotations = annotations(p->annotations());
      param->optional = findAnnotation(param->annotations, "optional") != nullptr;
      P::DirectionContext *d = p->direction();
      param->direction = d->IN() ? Direction::In : d->OUT() ? Direction::Out : d->INOUT() ? Direction::InOut
                                                                                       : Direction::None;
      param->typeExpr = typeRef(p->typeRef());
      if (p->expression())
        param->defaultValue = expression(p->expression());
      param->index = static_cast<unsigned>(out.size());
      out.push_back(std::move(param));
    }
    return out;
  }

  TypeParameterList typeParameters(P::TypeParametersContext *ctx) {
    TypeParameterList out;
    if (!ctx)
      return out;
    for (P::TypeParameterNameContext *n : ctx->typeParameterName())
      out.push_back(std::make_unique<TypeParameterDecl>(loc(n), n->getText()));
    return out;
  }

  DeclarationPtr externDeclaration(P::ExternDeclarationContext *ctx) {
    if (auto *f = dynamic_cast<P::ExternFunctionDeclarationContext *>(ctx)) {
      auto decl = functionPrototype(DeclarationKind::ExternFunction, f->functionPrototype());
      decl->annotations = annotations(f->annotations());
      return decl;
    }
    auto *o = dynamic_cast<P::ExternObjectDeclarationContext *>(ctx);
    auto decl = std::make_unique<ExternObjectDecl>(loc(o->typeDeclarationName()), o->typeDeclarationName()->getText());
    decl->annotations = annotations(o->annotations());
    decl->typeParameters = typeParameters(o->typeParameters());
    for (P::MethodPrototypeContext *m : o->methodPrototype()) {
      std::unique_ptr<MethodDecl> method;
      if (auto *c = dynamic_cast<P::ConstructorPrototypeContext *>(m)) {
        method = std::make_unique<MethodDecl>(DeclarationKind::Constructor, loc(c->TYPE_IDENTIFIER()),
                                              c->TYPE_IDENTIFIER()->getText());
        method->annotations = annotations(c->annotations());
        method->parameters = parameters(c->parameterList());
        if (method->name != decl->name)
          error(method->loc, "constructor '" + method->name + "' of extern '" + decl->name +
                                 "' must be named after it");
      } else {
        auto *f = dynamic_cast<P::MethodFunctionPrototypeContext *>(m);
        method = functionPrototype(DeclarationKind::Method, f->functionPrototype());
        method->annotations = annotations(f->annotations());
        method->isAbstract = f->ABSTRACT() != nullptr;
      }
      method->owner = decl.get();
      decl->methods.push_back(std::move(method));
    }
    return decl;
  }

  std::unique_ptr<MethodDecl> functionPrototype(DeclarationKind kind, P::FunctionPrototypeContext *ctx) {
    auto decl = std::make_unique<MethodDecl>(kind, loc(ctx->name()), name(ctx->name()));
    decl->returnType = typeOrVoid(ctx->typeOrVoid());
    decl->typeParameters = typeParameters(ctx->typeParameters());
    decl->parameters = parameters(ctx->parameterList());
    return decl;
  }

  std::unique_ptr<ActionDecl> actionDeclaration(P::ActionDeclarationContext *ctx) {
    auto decl = std::make_unique<ActionDecl>(loc(ctx->name()), name(ctx->name()));
    decl->annotations = annotations(ctx->annotations());
    decl->parameters = parameters(ctx->parameterList());
    decl->body = blockStatement(ctx->blockStatement());
    return decl;
  }

  std::unique_ptr<FunctionDecl> functionDeclaration(P::FunctionDeclarationContext *ctx) {
    P::FunctionPrototypeContext *proto = ctx->functionPrototype();
    auto decl = std::make_unique<FunctionDecl>(loc(proto->name()), name(proto->name()));
    decl->annotations = annotations(ctx->annotations());
    decl->returnType = typeOrVoid(proto->typeOrVoid());
    decl->typeParameters = typeParameters(proto->typeParameters());
    decl->parameters = parameters(proto->parameterList());
    decl->body = blockStatement(ctx->blockStatement());
    return decl;
  }

  std::unique_ptr<InstanceDecl> instantiation(P::InstantiationContext *ctx) {
    auto decl = std::make_unique<InstanceDecl>(loc(ctx->name()), name(ctx->name()));
    decl->annotations = annotations(ctx->annotations());
    decl->typeExpr = typeRef(ctx->typeRef());
    decl->arguments = arguments(ctx->argumentList());
    if (P::ObjectInitializerContext *init = ctx->objectInitializer()) {
      decl->hasInitializer = true;
      for (antlr4::tree::ParseTree *child : init->children) {
        if (auto *f = dynamic_cast<P::FunctionDeclarationContext *>(child))
          decl->initializer.push_back(functionDeclaration(f));
        else if (auto *i = dynamic_cast<P::InstantiationContext *>(child))
          decl->initializer.push_back(instantiation(i));
      }
    }
    return decl;
  }

  std::unique_ptr<BlockTypeDecl> parserType(DeclarationKind kind, P::ParserTypeDeclarationContext *ctx) {
    auto decl = std::make_unique<BlockTypeDecl>(kind, loc(ctx->typeDeclarationName()),
                                                ctx->typeDeclarationName()->getText());
    decl->annotations = annotations(ctx->annotations());
    decl->typeParameters = typeParameters(ctx->typeParameters());
    decl->parameters = parameters(ctx->parameterList());
    return decl;
  }

  std::unique_ptr<BlockTypeDecl> controlType(DeclarationKind kind, P::ControlTypeDeclarationContext *ctx) {
    auto decl = std::make_unique<BlockTypeDecl>(kind, loc(ctx->typeDeclarationName()),
                                                ctx->typeDeclarationName()->getText());
    decl->annotations = annotations(ctx->annotations());
    decl->typeParameters = typeParameters(ctx->typeParameters());
    decl->parameters = parameters(ctx->parameterList());
    return decl;
  }

  DeclarationPtr parserDeclaration(P::ParserDeclarationContext *ctx) {
    if (ctx->SEMICOLON())
      return parserType(DeclarationKind::ParserType, ctx->parserTypeDeclaration());
    auto decl = parserType(DeclarationKind::Parser, ctx->parserTypeDeclaration());
    if (ctx->constructorParameters()) {
      decl->constructorParameters = parameters(ctx->constructorParameters()->parameterList());
    }
    for (P::ParserLocalElementContext *e : ctx->parserLocalElement()) {
      if (e->constantDeclaration()) decl->locals.push_back(constantDeclaration(e->constantDeclaration()));
      else if (e->instantiation()) decl->locals.push_back(instantiation(e->instantiation()));
      else if (e->variableDeclaration())
        decl->locals.push_back(variableDeclaration(e->variableDeclaration()->variableDeclarationWithoutSemicolon()));
      else if (e->valueSetDeclaration()) decl->locals.push_back(valueSet(e->valueSetDeclaration()));
    }
    for (P::ParserStateContext *s : ctx->parserState())
      decl->states.push_back(parserState(s));
    return decl;
  }

  std::unique_ptr<ValueSetDecl> valueSet(P::ValueSetDeclarationContext *ctx) {
    auto decl = std::make_unique<ValueSetDecl>(loc(ctx->name()), name(ctx->name()));
    decl->annotations = annotations(ctx->annotations());
    P::ValueSetElementTypeContext *t = ctx->valueSetElementType();
    if (t->baseType()) decl->elementType = baseType(t->baseType());
    else if (t->tupleType()) decl->elementType = tupleType(t->tupleType()->typeArgumentList(), loc(t));
    else decl->elementType = typeName(t->typeName());
    decl->size = expression(ctx->expression());
    return decl;
  }

  std::unique_ptr<StateDecl> parserState(P::ParserStateContext *ctx) {
    auto state = std::make_unique<StateDecl>(loc(ctx->name()), name(ctx->name()));
    state->annotations = annotations(ctx->annotations());
    for (P::ParserStatementContext *s : ctx->parserStatement())
      state->statements.push_back(parserStatement(s));
    if (P::TransitionStatementContext *t = ctx->transitionStatement()) {
      state->transition.loc = loc(t);
      if (auto *direct = dynamic_cast<P::DirectTransitionContext *>(t->stateExpression())) {
        state->transition.kind = Transition::Kind::Direct;
        state->transition.state = name(direct->name());
        state->transition.stateLoc = loc(direct->name());
      } else {
        auto *select = dynamic_cast<P::SelectTransitionContext *>(t->stateExpression())->selectExpression();
        state->transition.kind = Transition::Kind::Select;
        for (P::ExpressionContext *e : select->expressionList()->expression())
          state->transition.selectKeys.push_back(expression(e));
        for (P::SelectCaseContext *c : select->selectCase()) {
          SelectCase selectCase;
          selectCase.loc = loc(c);
          selectCase.keyset = keyset(c->keysetExpression());
          selectCase.state = name(c->name());
          selectCase.stateLoc = loc(c->name());
          state->transition.cases.push_back(std::move(selectCase));
        }
      }
    }
    return state;
  }

  StatementPtr parserStatement(P::ParserStatementContext *ctx) {
    if (ctx->assignmentOrMethodCallStatement())
      return assignmentOrMethodCall(ctx->assignmentOrMethodCallStatement()->assignmentOrMethodCall());
    if (ctx->directApplication()) return directApplication(ctx->directApplication());
    if (ctx->emptyStatement()) return std::make_unique<SimpleStatement>(StatementKind::Empty, loc(ctx));
    if (ctx->variableDeclaration())
      return std::make_unique<DeclarationStatement>(
          loc(ctx), variableDeclaration(ctx->variableDeclaration()->variableDeclarationWithoutSemicolon()));
    if (ctx->constantDeclaration())
      return std::make_unique<DeclarationStatement>(loc(ctx), constantDeclaration(ctx->constantDeclaration()));
    if (ctx->parserBlockStatement()) {
      auto block = std::make_unique<BlockStatement>(loc(ctx));
      block->annotations = annotations(ctx->parserBlockStatement()->annotations());
      for (P::ParserStatementContext *s : ctx->parserBlockStatement()->parserStatement())
        block->statements.push_back(parserStatement(s));
      block->endLoc = loc(ctx->parserBlockStatement()->RBRACE());
      return block;
    }
    return conditional(ctx->conditionalStatement());
  }

  DeclarationPtr controlDeclaration(P::ControlDeclarationContext *ctx) {
    if (ctx->SEMICOLON())
      return controlType(DeclarationKind::ControlType, ctx->controlTypeDeclaration());
    auto decl = controlType(DeclarationKind::Control, ctx->controlTypeDeclaration());
    if (ctx->constructorParameters()) {
      decl->constructorParameters = parameters(ctx->constructorParameters()->parameterList());
    }
    for (P::ControlLocalDeclarationContext *d : ctx->controlLocalDeclaration()) {
      if (d->constantDeclaration()) decl->locals.push_back(constantDeclaration(d->constantDeclaration()));
      else if (d->actionDeclaration()) decl->locals.push_back(actionDeclaration(d->actionDeclaration()));
      else if (d->tableDeclaration()) decl->locals.push_back(table(d->tableDeclaration()));
      else if (d->instantiation()) decl->locals.push_back(instantiation(d->instantiation()));
      else if (d->variableDeclaration())
        decl->locals.push_back(variableDeclaration(d->variableDeclaration()->variableDeclarationWithoutSemicolon()));
    }
    decl->body = blockStatement(ctx->blockStatement());
    return decl;
  }

  DeclarationPtr typeDeclaration(P::TypeDeclarationContext *ctx) {
    if (ctx->derivedTypeDeclaration()) return derivedType(ctx->derivedTypeDeclaration());
    if (ctx->typedefDeclaration()) return typedefDeclaration(ctx->typedefDeclaration());
    P::PackageTypeDeclarationContext *p = ctx->packageTypeDeclaration();
    auto decl = std::make_unique<PackageDecl>(loc(p->typeDeclarationName()), p->typeDeclarationName()->getText());
    decl->annotations = annotations(p->annotations());
    decl->typeParameters = typeParameters(p->typeParameters());
    decl->parameters = parameters(p->parameterList());
    return decl;
  }

  DeclarationPtr derivedType(P::DerivedTypeDeclarationContext *ctx) {
    if (auto *h = ctx->headerTypeDeclaration())
      return structLike(DeclarationKind::Header, h->annotations(), h->typeDeclarationName(), h->typeParameters(),
                        h->structField());
    if (auto *u = ctx->headerUnionDeclaration())
      return structLike(DeclarationKind::HeaderUnion, u->annotations(), u->typeDeclarationName(),
                        u->typeParameters(), u->structField());
    if (auto *s = ctx->structTypeDeclaration())
      return structLike(DeclarationKind::Struct, s->annotations(), s->typeDeclarationName(), s->typeParameters(),
                        s->structField());
    P::EnumDeclarationContext *e = ctx->enumDeclaration();
    if (auto *plain = dynamic_cast<P::PlainEnumContext *>(e)) {
      auto decl = std::make_unique<EnumDecl>(loc(plain->typeDeclarationName()), plain->typeDeclarationName()->getText());
      decl->annotations = annotations(plain->annotations());
      for (P::NameContext *n : plain->name()) {
        auto member = std::make_unique<MemberDecl>(loc(n), name(n));
        member->index = static_cast<unsigned>(decl->members.size());
        decl->members.push_back(std::move(member));
      }
      return decl;
    }
    auto *serializable = dynamic_cast<P::SerializableEnumContext *>(e);
    auto decl = std::make_unique<EnumDecl>(loc(serializable->typeDeclarationName()),
                                           serializable->typeDeclarationName()->getText());
    decl->annotations = annotations(serializable->annotations());
    decl->underlyingType = typeRef(serializable->typeRef());
    for (P::SpecifiedIdentifierContext *s : serializable->specifiedIdentifier()) {
      auto member = std::make_unique<MemberDecl>(loc(s), name(s->name()));
      member->value = expression(s->expression());
      member->index = static_cast<unsigned>(decl->members.size());
      decl->members.push_back(std::move(member));
    }
    return decl;
  }

  DeclarationPtr structLike(DeclarationKind kind, P::AnnotationsContext *annotationsCtx,
                            P::TypeDeclarationNameContext *nameCtx, P::TypeParametersContext *typeParams,
                            const std::vector<P::StructFieldContext *> &fields) {
    auto decl = std::make_unique<StructLikeDecl>(kind, loc(nameCtx), nameCtx->getText());
    decl->annotations = annotations(annotationsCtx);
    decl->typeParameters = typeParameters(typeParams);
    for (P::StructFieldContext *f : fields) {
      FieldDecl field;
      field.loc = loc(f->name());
      field.name = name(f->name());
      field.annotations = annotations(f->annotations());
      field.typeExpr = typeRef(f->typeRef());
      decl->fields.push_back(std::move(field));
    }
    return decl;
  }

  DeclarationPtr typedefDeclaration(P::TypedefDeclarationContext *ctx) {
    if (auto *alias = dynamic_cast<P::TypedefAliasContext *>(ctx)) {
      auto decl = std::make_unique<TypedefDecl>(DeclarationKind::Typedef, loc(alias->typeDeclarationName()),
                                                alias->typeDeclarationName()->getText());
      decl->annotations = annotations(alias->annotations());
      if (alias->typeRef())
        decl->typeExpr = typeRef(alias->typeRef());
      else
        decl->inlineDeclaration = derivedType(alias->derivedTypeDeclaration());
      return decl;
    }
    auto *newType = dynamic_cast<P::NewTypeDefinitionContext *>(ctx);
    auto decl = std::make_unique<TypedefDecl>(DeclarationKind::NewType, loc(newType->typeDeclarationName()),
                                              newType->typeDeclarationName()->getText());
    decl->annotations = annotations(newType->annotations());
    decl->typeExpr = typeRef(newType->typeRef());
    return decl;
  }

  std::unique_ptr<TableDecl> table(P::TableDeclarationContext *ctx) {
    auto decl = std::make_unique<TableDecl>(loc(ctx->name()), name(ctx->name()));
    decl->annotations = annotations(ctx->annotations());
    for (P::TablePropertyContext *p : ctx->tableProperty()) {
      if (auto *key = dynamic_cast<P::KeyPropertyContext *>(p)) {
        if (decl->hasKey)
          error(loc(p), "table '" + decl->name + "' has more than one key property");
        decl->hasKey = true;
        decl->keyLoc = loc(p);
        for (P::KeyElementContext *k : key->keyElement()) {
          KeyElement element;
          element.loc = loc(k);
          element.expression = expression(k->expression());
          element.matchKind = name(k->name());
          element.matchKindLoc = loc(k->name());
          element.annotations = annotations(k->annotations());
          decl->keys.push_back(std::move(element));
        }
      } else if (auto *actions = dynamic_cast<P::ActionsPropertyContext *>(p)) {
        if (decl->hasActions)
          error(loc(p), "table '" + decl->name + "' has more than one actions property");
        decl->hasActions = true;
        decl->actionsLoc = loc(p);
        for (P::ActionListElementContext *a : actions->actionListElement()) {
          ActionRef ref = actionRef(a->actionRef());
          ref.annotations = annotations(a->annotations());
          decl->actions.push_back(std::move(ref));
        }
      } else if (auto *entries = dynamic_cast<P::EntriesPropertyContext *>(p)) {
        if (decl->hasEntries)
          error(loc(p), "table '" + decl->name + "' has more than one entries property");
        decl->hasEntries = true;
        decl->entriesConst = entries->CONST() != nullptr;
        decl->entriesLoc = loc(p);
        for (P::EntryContext *e : entries->entry()) {
          TableEntry entry;
          entry.loc = loc(e);
          entry.isConst = e->CONST() != nullptr;
          if (P::EntryPriorityContext *priority = e->entryPriority()) {
            if (priority->INTEGER())
              entry.priority = integer(priority->INTEGER()->getSymbol());
            else
              entry.priority = expression(priority->expression());
          }
          entry.keyset = keyset(e->keysetExpression());
          entry.action = actionRef(e->actionRef());
          entry.action.annotations = annotations(e->annotations());
          decl->entries.push_back(std::move(entry));
        }
      } else {
        auto *simple = dynamic_cast<P::SimplePropertyContext *>(p);
        TableProperty property;
        property.loc = loc(simple->nonTableKwName());
        property.name = simple->nonTableKwName()->getText();
        property.isConst = simple->CONST() != nullptr;
        property.annotations = annotations(simple->annotations());
        property.value = expression(simple->expression());
        for (const TableProperty &existing : decl->properties)
          if (existing.name == property.name)
            error(property.loc, "table '" + decl->name + "' has more than one '" + property.name + "' property");
        decl->properties.push_back(std::move(property));
      }
    }
    return decl;
  }

  ActionRef actionRef(P::ActionRefContext *ctx) {
    ActionRef ref;
    ref.loc = loc(ctx);
    ref.name = ctx->nonTypeName()->getText();
    ref.globalPrefix = ctx->DOT() != nullptr;
    if (ctx->LPAREN()) {
      ref.hasArguments = true;
      ref.arguments = arguments(ctx->argumentList());
    }
    return ref;
  }

  // ---------------------------------------------------------------- types

  TypeExprPtr typeRef(P::TypeRefContext *ctx) {
    if (auto *b = dynamic_cast<P::BaseTypeRefContext *>(ctx)) return baseType(b->baseType());
    if (auto *n = dynamic_cast<P::NamedTypeRefContext *>(ctx)) return typeName(n->typeName());
    if (auto *s = dynamic_cast<P::SpecializedTypeRefContext *>(ctx)) return specializedType(s->specializedType());
    if (auto *t = dynamic_cast<P::TupleTypeRefContext *>(ctx))
      return tupleType(t->typeArgumentList(), loc(t));
    if (auto *l = dynamic_cast<P::ListTypeRefContext *>(ctx)) {
      auto type = std::make_unique<TypeExpr>();
      type->kind = TypeExpr::Kind::List;
      type->loc = loc(l);
      type->arguments.push_back(typeArgument(l->typeArgument()));
      return type;
    }
    auto *stack = dynamic_cast<P::StackTypeRefContext *>(ctx);
    auto type = std::make_unique<TypeExpr>();
    type->kind = TypeExpr::Kind::Stack;
    type->loc = loc(stack);
    type->element = typeRef(stack->typeRef());
    type->size = expression(stack->expression());
    return type;
  }

  TypeExprPtr tupleType(P::TypeArgumentListContext *args, Loc at) {
    auto type = std::make_unique<TypeExpr>();
    type->kind = TypeExpr::Kind::Tuple;
    type->loc = at;
    for (P::TypeArgumentContext *a : args->typeArgument())
      type->arguments.push_back(typeArgument(a));
    return type;
  }

  TypeExprPtr typeName(P::TypeNameContext *ctx) {
    auto type = std::make_unique<TypeExpr>();
    type->kind = TypeExpr::Kind::Named;
    type->loc = loc(ctx);
    type->name = ctx->TYPE_IDENTIFIER()->getText();
    type->globalPrefix = ctx->DOT() != nullptr;
    return type;
  }

  TypeExprPtr specializedType(P::SpecializedTypeContext *ctx) {
    TypeExprPtr type = typeName(ctx->typeName());
    type->kind = TypeExpr::Kind::Specialized;
    for (P::TypeArgumentContext *a : ctx->typeArgumentList()->typeArgument())
      type->arguments.push_back(typeArgument(a));
    return type;
  }

  TypeExprPtr namedType(P::NamedTypeContext *ctx) {
    return ctx->typeName() ? typeName(ctx->typeName()) : specializedType(ctx->specializedType());
  }

  TypeExprPtr simpleType(TypeExpr::Kind kind, Loc at) {
    auto type = std::make_unique<TypeExpr>();
    type->kind = kind;
    type->loc = at;
    return type;
  }

  TypeExprPtr baseType(P::BaseTypeContext *ctx) {
    Loc at = loc(ctx);
    if (dynamic_cast<P::BoolTypeContext *>(ctx)) return simpleType(TypeExpr::Kind::Bool, at);
    if (dynamic_cast<P::MatchKindTypeContext *>(ctx)) return simpleType(TypeExpr::Kind::MatchKind, at);
    if (dynamic_cast<P::ErrorTypeContext *>(ctx)) return simpleType(TypeExpr::Kind::Error, at);
    if (dynamic_cast<P::StringTypeContext *>(ctx)) return simpleType(TypeExpr::Kind::String, at);
    P::WidthContext *widthCtx = nullptr;
    TypeExpr::Kind kind;
    if (auto *b = dynamic_cast<P::BitTypeContext *>(ctx)) {
      kind = TypeExpr::Kind::Bit;
      widthCtx = b->width();
    } else if (auto *i = dynamic_cast<P::IntTypeContext *>(ctx)) {
      kind = TypeExpr::Kind::Int;
      widthCtx = i->width();
    } else {
      kind = TypeExpr::Kind::Varbit;
      widthCtx = dynamic_cast<P::VarbitTypeContext *>(ctx)->width();
    }
    TypeExprPtr type = simpleType(kind, at);
    if (widthCtx)
      type->width = widthCtx->INTEGER()       ? integer(widthCtx->INTEGER()->getSymbol())
                    : widthCtx->nonTypeName() ? std::make_unique<NameExpr>(loc(widthCtx), widthCtx->getText(), false)
                                              : expression(widthCtx->expression());
    return type;
  }

  TypeExprPtr typeOrVoid(P::TypeOrVoidContext *ctx) {
    if (ctx->typeRef()) return typeRef(ctx->typeRef());
    if (ctx->VOID()) return simpleType(TypeExpr::Kind::Void, loc(ctx));
    TypeExprPtr type = simpleType(TypeExpr::Kind::TypeVariableName, loc(ctx));
    type->name = ctx->IDENTIFIER()->getText();
    return type;
  }

  TypeExprPtr typeArgument(P::TypeArgumentContext *ctx) {
    if (ctx->typeRef()) return typeRef(ctx->typeRef());
    if (ctx->VOID()) return simpleType(TypeExpr::Kind::Void, loc(ctx));
    if (ctx->DONTCARE()) return simpleType(TypeExpr::Kind::DontCare, loc(ctx));
    TypeExprPtr type = simpleType(TypeExpr::Kind::TypeVariableName, loc(ctx));
    type->name = ctx->nonTypeName()->getText();
    return type;
  }

  TypeExprPtr realTypeArgument(P::RealTypeArgumentContext *ctx) {
    if (ctx->typeRef()) return typeRef(ctx->typeRef());
    if (ctx->VOID()) return simpleType(TypeExpr::Kind::Void, loc(ctx));
    return simpleType(TypeExpr::Kind::DontCare, loc(ctx));
  }

  // ---------------------------------------------------------------- statements

  std::unique_ptr<BlockStatement> blockStatement(P::BlockStatementContext *ctx) {
    auto block = std::make_unique<BlockStatement>(loc(ctx->LBRACE()));
    block->annotations = annotations(ctx->annotations());
    for (P::StatementOrDeclarationContext *s : ctx->statementOrDeclaration()) {
      if (s->variableDeclaration())
        block->statements.push_back(std::make_unique<DeclarationStatement>(
            loc(s), variableDeclaration(s->variableDeclaration()->variableDeclarationWithoutSemicolon())));
      else if (s->constantDeclaration())
        block->statements.push_back(
            std::make_unique<DeclarationStatement>(loc(s), constantDeclaration(s->constantDeclaration())));
      else
        block->statements.push_back(statement(s->statement()));
    }
    block->endLoc = loc(ctx->RBRACE());
    return block;
  }

  StatementPtr statement(P::StatementContext *ctx) {
    if (ctx->assignmentOrMethodCallStatement())
      return assignmentOrMethodCall(ctx->assignmentOrMethodCallStatement()->assignmentOrMethodCall());
    if (ctx->directApplication()) return directApplication(ctx->directApplication());
    if (ctx->conditionalStatement()) return conditional(ctx->conditionalStatement());
    if (ctx->emptyStatement()) return std::make_unique<SimpleStatement>(StatementKind::Empty, loc(ctx));
    if (ctx->blockStatement()) return blockStatement(ctx->blockStatement());
    if (ctx->returnStatement()) {
      auto ret = std::make_unique<ReturnStatement>(loc(ctx));
      if (ctx->returnStatement()->expression())
        ret->value = expression(ctx->returnStatement()->expression());
      return ret;
    }
    if (ctx->breakStatement()) return std::make_unique<SimpleStatement>(StatementKind::Break, loc(ctx));
    if (ctx->continueStatement()) return std::make_unique<SimpleStatement>(StatementKind::Continue, loc(ctx));
    if (ctx->exitStatement()) return std::make_unique<SimpleStatement>(StatementKind::Exit, loc(ctx));
    if (ctx->switchStatement()) return switchStatement(ctx->switchStatement());
    return forStatement(ctx->forStatement());
  }

  StatementPtr conditional(P::ConditionalStatementContext *ctx) {
    auto stmt = std::make_unique<IfStatement>(loc(ctx));
    stmt->condition = expression(ctx->expression());
    stmt->thenBranch = statement(ctx->statement(0));
    if (ctx->ELSE())
      stmt->elseBranch = statement(ctx->statement(1));
    return stmt;
  }

  StatementPtr assignmentOrMethodCall(P::AssignmentOrMethodCallContext *ctx) {
    if (auto *call = dynamic_cast<P::MethodCallStatementContext *>(ctx)) {
      auto callExpr = std::make_unique<CallExpr>(loc(call), lvalue(call->lvalue()));
      if (call->typeArgumentList())
        for (P::TypeArgumentContext *a : call->typeArgumentList()->typeArgument())
          callExpr->typeArguments.push_back(typeArgument(a));
      callExpr->arguments = arguments(call->argumentList());
      return std::make_unique<MethodCallStatement>(loc(call), std::move(callExpr));
    }
    auto *assign = dynamic_cast<P::AssignmentStatementContext *>(ctx);
    auto stmt = std::make_unique<AssignmentStatement>(loc(assign));
    stmt->target = lvalue(assign->lvalue());
    P::AssignmentOperatorContext *op = assign->assignmentOperator();
    if (op->MUL_ASSIGN()) stmt->compound = BinaryOp::Mul;
    else if (op->DIV_ASSIGN()) stmt->compound = BinaryOp::Div;
    else if (op->MOD_ASSIGN()) stmt->compound = BinaryOp::Mod;
    else if (op->ADD_ASSIGN()) stmt->compound = BinaryOp::Add;
    else if (op->SUB_ASSIGN()) stmt->compound = BinaryOp::Sub;
    else if (op->SAT_ADD_ASSIGN()) stmt->compound = BinaryOp::SatAdd;
    else if (op->SAT_SUB_ASSIGN()) stmt->compound = BinaryOp::SatSub;
    else if (op->SHL_ASSIGN()) stmt->compound = BinaryOp::Shl;
    else if (op->AND_ASSIGN()) stmt->compound = BinaryOp::BitAnd;
    else if (op->OR_ASSIGN()) stmt->compound = BinaryOp::BitOr;
    else if (op->XOR_ASSIGN()) stmt->compound = BinaryOp::BitXor;
    else if (op->GT()) {
      if (op->GT()->getSymbol()->getStopIndex() + 1 != op->GE()->getSymbol()->getStartIndex())
        error(loc(op->GE()), "unexpected '>=': write '>>=' without spaces");
      stmt->compound = BinaryOp::Shr;
    }
    stmt->value = expression(assign->expression());
    return stmt;
  }

  StatementPtr directApplication(P::DirectApplicationContext *ctx) {
    auto stmt = std::make_unique<DirectApplicationStatement>(loc(ctx));
    stmt->applied = ctx->typeName() ? typeName(ctx->typeName()) : specializedType(ctx->specializedType());
    stmt->arguments = arguments(ctx->argumentList());
    return stmt;
  }

  StatementPtr switchStatement(P::SwitchStatementContext *ctx) {
    auto stmt = std::make_unique<SwitchStatement>(loc(ctx));
    stmt->selector = expression(ctx->expression());
    for (P::SwitchCaseContext *c : ctx->switchCase()) {
      SwitchStatement::Case switchCase;
      switchCase.loc = loc(c);
      P::SwitchLabelContext *label = c->switchLabel();
      switchCase.label = label->DEFAULT() ? std::make_unique<SimpleExpr>(ExprKind::Default, loc(label))
                                          : expression(label->expression());
      if (c->blockStatement())
        switchCase.body = blockStatement(c->blockStatement());
      stmt->cases.push_back(std::move(switchCase));
    }
    return stmt;
  }

  StatementPtr forStatement(P::ForStatementContext *ctx) {
    if (auto *loop = dynamic_cast<P::ForLoopContext *>(ctx)) {
      auto stmt = std::make_unique<ForLoopStatement>(loc(loop));
      if (loop->forInitializers())
        for (P::ForInitializerContext *i : loop->forInitializers()->forInitializer()) {
          if (i->variableDeclarationWithoutSemicolon())
            stmt->initializers.push_back(std::make_unique<DeclarationStatement>(
                loc(i), variableDeclaration(i->variableDeclarationWithoutSemicolon())));
          else
            stmt->initializers.push_back(assignmentOrMethodCall(i->assignmentOrMethodCall()));
        }
      if (loop->expression())
        stmt->condition = expression(loop->expression());
      if (loop->forUpdates())
        for (P::AssignmentOrMethodCallContext *u : loop->forUpdates()->assignmentOrMethodCall())
          stmt->updates.push_back(assignmentOrMethodCall(u));
      stmt->body = statement(loop->statement());
      return stmt;
    }
    auto *in = dynamic_cast<P::ForInLoopContext *>(ctx);
    auto stmt = std::make_unique<ForInStatement>(loc(in));
    auto variable = std::make_unique<VariableDecl>(loc(in->name()), name(in->name()));
    if (!in->annotations().empty())
      variable->annotations = annotations(in->annotations().back());
    variable->typeExpr = typeRef(in->typeRef());
    stmt->variable = std::move(variable);
    stmt->collection = expression(in->forCollection()->expression(0));
    if (in->forCollection()->RANGE())
      stmt->rangeEnd = expression(in->forCollection()->expression(1));
    stmt->body = statement(in->statement());
    return stmt;
  }

  // ---------------------------------------------------------------- expressions

  std::vector<Argument> arguments(P::ArgumentListContext *ctx) {
    std::vector<Argument> out;
    if (!ctx)
      return out;
    for (P::ArgumentContext *a : ctx->argument()) {
      Argument argument;
      argument.loc = loc(a);
      if (auto *named = dynamic_cast<P::NamedArgumentContext *>(a)) {
        argument.name = name(named->name());
        argument.value = expression(named->expression());
      } else if (auto *namedDontCare = dynamic_cast<P::NamedDontCareArgumentContext *>(a)) {
        argument.name = name(namedDontCare->name());
        argument.value = std::make_unique<SimpleExpr>(ExprKind::DontCare, loc(namedDontCare->DONTCARE()));
      } else if (auto *positional = dynamic_cast<P::PositionalArgumentContext *>(a)) {
        argument.value = expression(positional->expression());
      } else {
        argument.value = std::make_unique<SimpleExpr>(ExprKind::DontCare, loc(a));
      }
      out.push_back(std::move(argument));
    }
    return out;
  }

  ExprPtr keyset(P::KeysetExpressionContext *ctx) {
    if (auto *tuple = dynamic_cast<P::TupleKeysetContext *>(ctx)) {
      std::vector<P::SimpleKeysetExpressionContext *> elements = tuple->simpleKeysetExpression();
      if (elements.size() == 1)
        return simpleKeyset(elements[0]);
      auto list = std::make_unique<ListExpr>(loc(tuple));
      for (P::SimpleKeysetExpressionContext *e : elements)
        list->elements.push_back(simpleKeyset(e));
      return list;
    }
    return simpleKeyset(dynamic_cast<P::SingleKeysetContext *>(ctx)->simpleKeysetExpression());
  }

  ExprPtr simpleKeyset(P::SimpleKeysetExpressionContext *ctx) {
    if (auto *mask = dynamic_cast<P::MaskKeysetContext *>(ctx))
      return std::make_unique<MaskExpr>(loc(mask->MASK()), expression(mask->expression(0)),
                                        expression(mask->expression(1)));
    if (auto *range = dynamic_cast<P::RangeKeysetContext *>(ctx))
      return std::make_unique<RangeExpr>(loc(range->RANGE()), expression(range->expression(0)),
                                         expression(range->expression(1)));
    if (dynamic_cast<P::DefaultKeysetContext *>(ctx))
      return std::make_unique<SimpleExpr>(ExprKind::Default, loc(ctx));
    if (dynamic_cast<P::DontCareKeysetContext *>(ctx))
      return std::make_unique<SimpleExpr>(ExprKind::DontCare, loc(ctx));
    return expression(dynamic_cast<P::ValueKeysetContext *>(ctx)->expression());
  }

  ExprPtr lvalue(P::LvalueContext *ctx) {
    if (auto *n = dynamic_cast<P::NameLvalueContext *>(ctx)) {
      P::PrefixedNonTypeNameContext *p = n->prefixedNonTypeName();
      return std::make_unique<NameExpr>(loc(p), p->nonTypeName()->getText(), p->DOT() != nullptr);
    }
    if (dynamic_cast<P::ThisLvalueContext *>(ctx))
      return std::make_unique<SimpleExpr>(ExprKind::This, loc(ctx));
    if (auto *m = dynamic_cast<P::MemberLvalueContext *>(ctx))
      return std::make_unique<MemberExpr>(loc(m), lvalue(m->lvalue()), name(m->name()), loc(m->name()));
    if (auto *i = dynamic_cast<P::IndexLvalueContext *>(ctx))
      return std::make_unique<IndexExpr>(loc(i), lvalue(i->lvalue()), expression(i->expression()));
    if (auto *s = dynamic_cast<P::SliceLvalueContext *>(ctx))
      return std::make_unique<SliceExpr>(loc(s), lvalue(s->lvalue()), expression(s->expression(0)),
                                         expression(s->expression(1)));
    if (auto *v = dynamic_cast<P::VariableSliceLvalueContext *>(ctx))
      return std::make_unique<VariableSliceExpr>(loc(v), lvalue(v->lvalue()), expression(v->expression(0)),
                                                 expression(v->expression(1)));
    return lvalue(dynamic_cast<P::ParenLvalueContext *>(ctx)->lvalue());
  }

  ExprPtr integer(antlr4::Token *token) {
    auto literal = std::make_unique<IntegerLiteral>(loc(token));
    std::string text = token->getText();
    literal->spelling = text;
    size_t widthEnd = text.find_first_of("ws");
    // "0x..." never has 'w' or 's' before its prefix; only "NNw"/"NNs" does.
    if (widthEnd != std::string::npos && widthEnd > 0 &&
        text.find_first_not_of("0123456789") == widthEnd) {
      unsigned width = 0;
      for (size_t i = 0; i < widthEnd; ++i) {
        width = width * 10 + static_cast<unsigned>(text[i] - '0');
        if (width > 4096) break;
      }
      literal->isSigned = text[widthEnd] == 's';
      if (width == 0 || width > 2048) {
        error(literal->loc, "integer width " + text.substr(0, widthEnd) + " is out of range (1 to 2048)");
        width = 32;
      }
      literal->width = width;
      text = text.substr(widthEnd + 1);
    }
    unsigned base = 10;
    if (text.size() > 2 && text[0] == '0') {
      switch (text[1]) {
      case 'x': case 'X': base = 16; text = text.substr(2); break;
      case 'b': case 'B': base = 2; text = text.substr(2); break;
      case 'o': case 'O': base = 8; text = text.substr(2); break;
      case 'd': case 'D': base = 10; text = text.substr(2); break;
      default: break;
      }
    }
    llvm::APInt value(kInfiniteIntWidth, 0);
    llvm::APInt limit = llvm::APInt::getSignedMaxValue(kInfiniteIntWidth).udiv(llvm::APInt(kInfiniteIntWidth, 16));
    bool anyDigit = false;
    for (char c : text) {
      if (c == '_')
        continue;
      unsigned digit = c >= '0' && c <= '9' ? static_cast<unsigned>(c - '0')
                       : c >= 'a' && c <= 'f' ? static_cast<unsigned>(c - 'a' + 10)
                                               : static_cast<unsigned>(c - 'A' + 10);
      if (digit >= base) {
        error(literal->loc, "invalid digit '" + std::string(1, c) + "' in integer " + literal->spelling);
        return literal;
      }
      if (value.ugt(limit)) {
        error(literal->loc, "integer " + literal->spelling + " is too large");
        return literal;
      }
      value = value * llvm::APInt(kInfiniteIntWidth, base) + llvm::APInt(kInfiniteIntWidth, digit);
      anyDigit = true;
    }
    if (!anyDigit)
      error(literal->loc, "integer " + literal->spelling + " has no digits");
    literal->value = value;
    return literal;
  }

  std::string unquote(const std::string &text, Loc at) {
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      char c = text[i];
      if (c != '\\') {
        out += c;
        continue;
      }
      char escaped = text[++i];
      switch (escaped) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '0': out += '\0'; break;
      default:
        error(at, std::string("unknown escape sequence '\\") + escaped + "' in string");
      }
    }
    return out;
  }

  static BinaryOp binaryOp(size_t tokenType) {
    using L = grammar::P4Lexer;
    switch (tokenType) {
    case L::STAR: return BinaryOp::Mul;
    case L::SLASH: return BinaryOp::Div;
    case L::PERCENT: return BinaryOp::Mod;
    case L::PLUS: return BinaryOp::Add;
    case L::MINUS: return BinaryOp::Sub;
    case L::SAT_ADD: return BinaryOp::SatAdd;
    case L::SAT_SUB: return BinaryOp::SatSub;
    case L::CONCAT: return BinaryOp::Concat;
    case L::LE: return BinaryOp::Le;
    case L::GE: return BinaryOp::Ge;
    case L::LT: return BinaryOp::Lt;
    case L::GT: return BinaryOp::Gt;
    case L::EQ: return BinaryOp::Eq;
    default: return BinaryOp::Ne;
    }
  }

  ExprPtr binary(P::ExpressionContext *ctx, BinaryOp op, antlr4::Token *opToken) {
    return std::make_unique<BinaryExpr>(loc(ctx), op, expression(ctx->children.front()),
                                        expression(ctx->children.back()), loc(opToken));
  }

  ExprPtr expression(antlr4::tree::ParseTree *tree) {
    return expression(dynamic_cast<P::ExpressionContext *>(tree));
  }

  ExprPtr expression(P::ExpressionContext *ctx) {
    Loc at = loc(ctx);
    if (auto *i = dynamic_cast<P::IntegerLiteralContext *>(ctx)) return integer(i->INTEGER()->getSymbol());
    if (auto *s = dynamic_cast<P::StringLiteralContext *>(ctx))
      return std::make_unique<StringLiteral>(at, unquote(s->getText(), at));
    if (auto *b = dynamic_cast<P::BooleanLiteralContext *>(ctx))
      return std::make_unique<BooleanLiteral>(at, b->TRUE() != nullptr);
    if (dynamic_cast<P::ThisExpressionContext *>(ctx)) return std::make_unique<SimpleExpr>(ExprKind::This, at);
    if (dynamic_cast<P::DotsExpressionContext *>(ctx)) return std::make_unique<SimpleExpr>(ExprKind::Dots, at);
    if (dynamic_cast<P::InvalidHeaderExpressionContext *>(ctx))
      return std::make_unique<SimpleExpr>(ExprKind::InvalidHeader, at);
    if (auto *n = dynamic_cast<P::NameExpressionContext *>(ctx)) {
      P::PrefixedNonTypeNameContext *p = n->prefixedNonTypeName();
      return std::make_unique<NameExpr>(at, p->nonTypeName()->getText(), p->DOT() != nullptr);
    }
    if (auto *e = dynamic_cast<P::ErrorMemberExpressionContext *>(ctx))
      return std::make_unique<ErrorMemberExpr>(at, name(e->name()));
    if (auto *t = dynamic_cast<P::TypeMemberExpressionContext *>(ctx))
      return std::make_unique<TypeMemberExpr>(at, typeName(t->typeName()), name(t->name()));
    if (auto *l = dynamic_cast<P::ListExpressionContext *>(ctx)) {
      auto list = std::make_unique<ListExpr>(at);
      for (P::ExpressionContext *e : l->expressionList()->expression())
        list->elements.push_back(expression(e));
      return list;
    }
    if (auto *s = dynamic_cast<P::StructExpressionContext *>(ctx)) {
      auto init = std::make_unique<StructInitExpr>(at);
      for (P::KvPairContext *kv : s->kvPair())
        init->fields.push_back({loc(kv), name(kv->name()), expression(kv->expression())});
      init->hasDots = s->DOTS() != nullptr;
      return init;
    }
    if (auto *p = dynamic_cast<P::ParenExpressionContext *>(ctx)) return expression(p->expression());
    if (auto *m = dynamic_cast<P::MemberExpressionContext *>(ctx))
      return std::make_unique<MemberExpr>(at, expression(m->expression()), name(m->name()), loc(m->name()));
    if (auto *i = dynamic_cast<P::IndexExpressionContext *>(ctx))
      return std::make_unique<IndexExpr>(at, expression(i->expression(0)), expression(i->expression(1)));
    if (auto *s = dynamic_cast<P::SliceExpressionContext *>(ctx))
      return std::make_unique<SliceExpr>(at, expression(s->expression(0)), expression(s->expression(1)),
                                         expression(s->expression(2)));
    if (auto *v = dynamic_cast<P::VariableSliceExpressionContext *>(ctx))
      return std::make_unique<VariableSliceExpr>(at, expression(v->expression(0)), expression(v->expression(1)),
                                                 expression(v->expression(2)));
    if (auto *g = dynamic_cast<P::GenericCallExpressionContext *>(ctx)) {
      auto call = std::make_unique<CallExpr>(at, expression(g->expression()));
      P::RealTypeArgumentListContext *types = g->realTypeArgumentList();
      call->typeArguments.push_back(realTypeArgument(types->realTypeArgument()));
      for (P::TypeArgumentContext *a : types->typeArgument())
        call->typeArguments.push_back(typeArgument(a));
      call->arguments = arguments(g->argumentList());
      return call;
    }
    if (auto *c = dynamic_cast<P::CallExpressionContext *>(ctx)) {
      auto call = std::make_unique<CallExpr>(at, expression(c->expression()));
      call->arguments = arguments(c->argumentList());
      return call;
    }
    if (auto *c = dynamic_cast<P::ConstructorCallExpressionContext *>(ctx)) {
      auto call = std::make_unique<ConstructorCallExpr>(at, namedType(c->namedType()));
      call->arguments = arguments(c->argumentList());
      return call;
    }
    if (auto *c = dynamic_cast<P::CastExpressionContext *>(ctx))
      return std::make_unique<CastExpr>(at, typeRef(c->typeRef()), expression(c->expression()));
    if (auto *u = dynamic_cast<P::UnaryExpressionContext *>(ctx)) {
      using L = grammar::P4Lexer;
      UnaryOp op = u->op->getType() == L::NOT     ? UnaryOp::Not
                   : u->op->getType() == L::TILDE ? UnaryOp::Complement
                   : u->op->getType() == L::MINUS ? UnaryOp::Negate
                                                  : UnaryOp::Plus;
      return std::make_unique<UnaryExpr>(at, op, expression(u->expression()));
    }
    if (auto *m = dynamic_cast<P::MultiplicativeExpressionContext *>(ctx)) return binary(ctx, binaryOp(m->op->getType()), m->op);
    if (auto *a = dynamic_cast<P::AdditiveExpressionContext *>(ctx)) return binary(ctx, binaryOp(a->op->getType()), a->op);
    if (auto *s = dynamic_cast<P::ShiftExpressionContext *>(ctx)) {
      if (s->SHL())
        return binary(ctx, BinaryOp::Shl, s->SHL()->getSymbol());
      checkAdjacent(s->GT(0), s->GT(1), ">>");
      return binary(ctx, BinaryOp::Shr, s->GT(0)->getSymbol());
    }
    if (auto *b = dynamic_cast<P::BitAndExpressionContext *>(ctx)) return binary(ctx, BinaryOp::BitAnd, b->AMP()->getSymbol());
    if (auto *b = dynamic_cast<P::BitXorExpressionContext *>(ctx)) return binary(ctx, BinaryOp::BitXor, b->CARET()->getSymbol());
    if (auto *b = dynamic_cast<P::BitOrExpressionContext *>(ctx)) return binary(ctx, BinaryOp::BitOr, b->PIPE()->getSymbol());
    if (auto *r = dynamic_cast<P::RelationalExpressionContext *>(ctx)) return binary(ctx, binaryOp(r->op->getType()), r->op);
    if (auto *e = dynamic_cast<P::EqualityExpressionContext *>(ctx)) return binary(ctx, binaryOp(e->op->getType()), e->op);
    if (auto *a = dynamic_cast<P::LogicalAndExpressionContext *>(ctx)) return binary(ctx, BinaryOp::And, a->AND()->getSymbol());
    if (auto *o = dynamic_cast<P::LogicalOrExpressionContext *>(ctx)) return binary(ctx, BinaryOp::Or, o->OR()->getSymbol());
    auto *c = dynamic_cast<P::ConditionalExpressionContext *>(ctx);
    return std::make_unique<ConditionalExpr>(at, expression(c->expression(0)), expression(c->expression(1)),
                                             expression(c->expression(2)));
  }

  const SourceMap &map_;
  ir::DiagnosticEngine &diags_;
  bool failed_ = false;
};

} // namespace

std::unique_ptr<Program> buildAst(grammar::P4Parser::ProgramContext *tree, const SourceMap &sourceMap,
                                  ir::DiagnosticEngine &diags) {
  return Builder(sourceMap, diags).program(tree);
}

} // namespace ebpfc::p4

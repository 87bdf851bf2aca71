#include "frontend/c/RestrictedC.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/Decl.h>
#include <clang/AST/Expr.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/Builtins.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace ebpfc::frontend {

namespace {

// The BPF calling convention passes arguments in r1..r5 only.
constexpr unsigned kMaxRegisterArguments = 5;
// How deep the constant-size check follows variables to their initializers.
constexpr unsigned kMaxConstantDepth = 16;

// Registers clang's BPF ABI uses to pass a value of `type`: aggregates of up
// to 8 bytes in one, up to 16 bytes in two, larger ones by reference (one);
// scalars wider than 64 bits in two.
unsigned registersFor(const clang::ASTContext &context, clang::QualType type) {
  if (type->isIncompleteType() || type->isDependentType())
    return 1;
  uint64_t bits = context.getTypeSize(type);
  if (type->isRecordType() || type->isAnyComplexType()) {
    if (bits == 0)
      return 0;
    return bits <= 64 ? 1 : bits <= 128 ? 2 : 1;
  }
  return bits > 64 ? 2 : 1;
}

bool isAlwaysInline(const clang::FunctionDecl &function) {
  return llvm::any_of(function.redecls(),
                      [](const clang::FunctionDecl *d) { return d->hasAttr<clang::AlwaysInlineAttr>(); });
}

bool isNoInline(const clang::FunctionDecl &function) {
  return llvm::any_of(function.redecls(),
                      [](const clang::FunctionDecl *d) { return d->hasAttr<clang::NoInlineAttr>(); });
}

// A kernel function (kfunc) declared `extern ... __ksym`, which libbpf
// resolves against the kernel's BTF.
bool isKernelFunction(const clang::FunctionDecl &function) {
  return llvm::any_of(function.redecls(), [](const clang::FunctionDecl *d) {
    const auto *section = d->getAttr<clang::SectionAttr>();
    return section && section->getName() == ".ksyms";
  });
}

// libbpf's helper declarations: a function pointer with static storage
// initialized with the helper's number, `static T (*bpf_x)(...) = (void *)N;`.
bool isHelperPointer(const clang::VarDecl &variable, const clang::ASTContext &context) {
  if (!variable.hasGlobalStorage() || !variable.getType()->isFunctionPointerType())
    return false;
  const clang::Expr *init = variable.getAnyInitializer();
  if (!init)
    return false;
  const clang::Expr *number = init->IgnoreParenCasts();
  return number->getType()->isIntegerType() && number->isEvaluatable(context);
}

bool isFloating(const clang::ASTContext &context, clang::QualType type) {
  return !type.isNull() && context.getBaseElementType(type)->isFloatingType();
}

// The size argument of a memory builtin, or -1.
int sizeArgumentOf(unsigned builtin) {
  switch (builtin) {
  case clang::Builtin::BImemcpy:
  case clang::Builtin::BI__builtin_memcpy:
  case clang::Builtin::BImemmove:
  case clang::Builtin::BI__builtin_memmove:
  case clang::Builtin::BImemset:
  case clang::Builtin::BI__builtin_memset:
  case clang::Builtin::BImemcmp:
  case clang::Builtin::BI__builtin_memcmp:
  case clang::Builtin::BIbcmp:
  case clang::Builtin::BI__builtin_bcmp:
    return 2;
  case clang::Builtin::BIbzero:
  case clang::Builtin::BI__builtin_bzero:
    return 1;
  default:
    return -1;
  }
}

// Library functions clang always expands inline, whatever the arguments.
bool isExpandedLibraryFunction(unsigned builtin) {
  return builtin == clang::Builtin::BIabs || builtin == clang::Builtin::BIlabs || builtin == clang::Builtin::BIllabs;
}

// Locals of a function that are written after their initialization (or
// whose address is taken, so they may be).
class WrittenLocals : public clang::RecursiveASTVisitor<WrittenLocals> {
public:
  std::set<const clang::VarDecl *> written;

  bool VisitBinaryOperator(clang::BinaryOperator *op) {
    if (op->isAssignmentOp())
      note(op->getLHS());
    return true;
  }
  bool VisitUnaryOperator(clang::UnaryOperator *op) {
    if (op->isIncrementDecrementOp() || op->getOpcode() == clang::UO_AddrOf)
      note(op->getSubExpr());
    return true;
  }

private:
  void note(const clang::Expr *target) {
    if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(target->IgnoreParenImpCasts()))
      if (const auto *variable = llvm::dyn_cast<clang::VarDecl>(ref->getDecl()))
        written.insert(variable);
  }
};

struct PendingDiagnostic {
  clang::SourceLocation loc;
  std::function<void()> emit;
};

struct CallEdge {
  const clang::FunctionDecl *callee;
  const clang::CallExpr *call;
};

class Checker : public clang::ASTConsumer {
public:
  explicit Checker(clang::DiagnosticsEngine &diags) : diags_(diags) {
    recursionSelf_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                           "recursion is not allowed in BPF programs: %0 calls itself");
    recursionCycle_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                            "recursion is not allowed in BPF programs: %0");
    recursionStep_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0 calls %1 here");
    recursionFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                          "the verifier rejects every cycle of calls; rewrite the recursion as "
                                          "a bounded loop");
    noBody_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                    "call to %0, which is not defined in this file");
    declaredHere_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0 is declared here");
    noBodyFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                       "a BPF program can call only functions defined in the same file, BPF "
                                       "helpers, and kernel functions declared 'extern ... __ksym'; define %0 "
                                       "here (e.g. static __always_inline in a header)");
    indirect_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                      "call through a function pointer; eBPF has no indirect calls");
    indirectFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                         "call the function directly (e.g. switch over the cases), or dispatch "
                                         "between programs with bpf_tail_call and a BPF_MAP_TYPE_PROG_ARRAY");
    floatExpression_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                             "floating-point %select{literal|expression}0 of type %1 cannot be "
                                             "compiled to eBPF");
    floatVariable_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                           "%select{variable|parameter}0 %1 has floating-point type %2, which "
                                           "eBPF does not support");
    floatReturn_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                         "function %0 returns floating-point type %1, which eBPF does not support");
    floatFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                      "eBPF has no floating-point registers or instructions; use integer "
                                      "arithmetic, e.g. fixed point scaled by 1000");
    vla_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                 "variable-length array %0 cannot be compiled to eBPF");
    vlaFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                    "a BPF stack frame has a fixed size; give the array its maximum size as a "
                                    "constant and bound the index");
    memorySize_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                        "call to %0 with a size that is not a compile-time constant");
    memorySizeFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                           "eBPF cannot call %0 at run time; the compiler expands it into loads "
                                           "and stores, which needs a constant size: use a constant (maximum) "
                                           "size, or a bounded loop");
    memorySizeInline_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                              "or make %0 static __always_inline, so that the size can become "
                                              "constant where it is called");
    tooManyArguments_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                              "call to %0 passes %1 arguments in registers; a BPF-to-BPF call "
                                              "passes at most 5");
    tooManyParameters_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                               "function %0 takes %1 arguments in registers; BPF functions take "
                                               "at most 5");
    definedHere_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0 is defined here");
    argumentsFix_ = diags.getCustomDiagID(clang::DiagnosticsEngine::Note,
                                          "pass the arguments in a struct, by pointer, or make %0 static and not "
                                          "noinline (ebpfc inlines static functions with more than 5 parameters)");
  }

  void Initialize(clang::ASTContext &context) override { context_ = &context; }

  // Runs before CodeGen sees the definition: a static function with more
  // than 5 parameters is always inlined, so no call to it depends on LLVM's
  // inlining heuristics.
  bool HandleTopLevelDecl(clang::DeclGroupRef group) override {
    for (clang::Decl *decl : group) {
      auto *function = llvm::dyn_cast<clang::FunctionDecl>(decl);
      if (!function || !function->doesThisDeclarationHaveABody() || function->isExternallyVisible() ||
          isNoInline(*function) || isAlwaysInline(*function) || parameterRegisters(*function) <= kMaxRegisterArguments)
        continue;
      function->addAttr(clang::AlwaysInlineAttr::CreateImplicit(*context_, function->getLocation()));
    }
    return true;
  }

  void HandleTranslationUnit(clang::ASTContext &context) override {
    if (diags_.hasErrorOccurred())
      return;
    std::vector<const clang::FunctionDecl *> compiled = compiledFunctions(context);
    for (const clang::FunctionDecl *function : compiled)
      checkFunction(*function);
    checkRecursion(compiled);
    for (const clang::FunctionDecl *function : compiled)
      checkParameterCount(*function);
    const clang::SourceManager &sources = context.getSourceManager();
    std::stable_sort(pending_.begin(), pending_.end(), [&](const PendingDiagnostic &a, const PendingDiagnostic &b) {
      return sources.isBeforeInTranslationUnit(sources.getFileLoc(a.loc), sources.getFileLoc(b.loc));
    });
    for (const PendingDiagnostic &diagnostic : pending_)
      diagnostic.emit();
  }

private:
  unsigned parameterRegisters(const clang::FunctionDecl &function) const {
    unsigned registers = 0;
    for (const clang::ParmVarDecl *parameter : function.parameters())
      registers += registersFor(*context_, parameter->getType());
    return registers;
  }

  // Definitions CodeGen emits: those it must emit (non-static functions,
  // programs, `used`), and every function referenced from them or from the
  // initializers of globals it emits, transitively.
  std::vector<const clang::FunctionDecl *> compiledFunctions(clang::ASTContext &context) {
    struct References : public clang::RecursiveASTVisitor<References> {
      std::vector<const clang::Decl *> found;
      bool VisitDeclRefExpr(clang::DeclRefExpr *ref) {
        found.push_back(ref->getDecl());
        return true;
      }
    };
    std::set<const clang::Decl *> seen;
    std::vector<const clang::Decl *> work;
    auto reach = [&](const clang::Decl *decl) {
      if (const auto *function = llvm::dyn_cast<clang::FunctionDecl>(decl)) {
        if (const clang::FunctionDecl *definition = function->getDefinition())
          if (seen.insert(definition).second)
            work.push_back(definition);
      } else if (const auto *variable = llvm::dyn_cast<clang::VarDecl>(decl)) {
        if (variable->hasGlobalStorage() && variable->getAnyInitializer() && seen.insert(variable).second)
          work.push_back(variable);
      }
    };
    for (clang::Decl *decl : context.getTranslationUnitDecl()->decls()) {
      if (auto *function = llvm::dyn_cast<clang::FunctionDecl>(decl)) {
        if (function->doesThisDeclarationHaveABody() && context.DeclMustBeEmitted(function))
          reach(function);
      } else if (auto *variable = llvm::dyn_cast<clang::VarDecl>(decl)) {
        if (variable->isThisDeclarationADefinition() && context.DeclMustBeEmitted(variable))
          reach(variable);
      }
    }
    while (!work.empty()) {
      const clang::Decl *decl = work.back();
      work.pop_back();
      References references;
      if (const auto *function = llvm::dyn_cast<clang::FunctionDecl>(decl))
        references.TraverseStmt(function->getBody());
      else if (const clang::Expr *init = llvm::cast<clang::VarDecl>(decl)->getAnyInitializer())
        references.TraverseStmt(const_cast<clang::Expr *>(init));
      for (const clang::Decl *found : references.found)
        reach(found);
    }
    std::vector<const clang::FunctionDecl *> functions;
    for (clang::Decl *decl : context.getTranslationUnitDecl()->decls())
      if (auto *function = llvm::dyn_cast<clang::FunctionDecl>(decl))
        if (function->doesThisDeclarationHaveABody() && seen.count(function))
          functions.push_back(function);
    return functions;
  }

  void later(clang::SourceLocation loc, std::function<void()> emit) { pending_.push_back({loc, std::move(emit)}); }

  // --- per-function rules ---------------------------------------------------

  class RuleVisitor : public clang::RecursiveASTVisitor<RuleVisitor> {
  public:
    using Base = clang::RecursiveASTVisitor<RuleVisitor>;
    RuleVisitor(Checker &checker, const clang::FunctionDecl &function, const std::set<const clang::VarDecl *> &written)
        : checker_(checker), function_(function), written_(written) {}

    // Unevaluated operands (sizeof, alignof) produce no code.
    bool TraverseUnaryExprOrTypeTraitExpr(clang::UnaryExprOrTypeTraitExpr *) { return true; }

    bool TraverseVarDecl(clang::VarDecl *variable) {
      clang::ASTContext &context = *checker_.context_;
      if (isFloating(context, variable->getType())) {
        checker_.reportFloatingDeclaration(*variable, /*parameter=*/false);
        return true;
      }
      if (variable->getType()->isVariableArrayType())
        checker_.later(variable->getLocation(), [checker = &checker_, variable] {
          checker->diags_.Report(variable->getLocation(), checker->vla_) << variable;
          checker->diags_.Report(checker->vlaFix_);
        });
      return Base::TraverseVarDecl(variable);
    }

    bool TraverseStmt(clang::Stmt *statement) {
      auto *expression = llvm::dyn_cast_or_null<clang::Expr>(statement);
      if (!expression)
        return Base::TraverseStmt(statement);
      clang::ASTContext &context = *checker_.context_;
      if (isFloating(context, expression->getType())) {
        checker_.reportFloatingExpression(*expression);
        return true;
      }
      // An integer computed from floating-point constants, e.g. (int)(2.5 * 4),
      // is folded by clang and compiles to no floating point.
      if (expression->getType()->isIntegralOrEnumerationType() && hasFloatingChild(*expression) &&
          expression->isEvaluatable(context))
        return true;
      return Base::TraverseStmt(statement);
    }

    bool VisitCallExpr(clang::CallExpr *call) {
      checker_.checkCall(function_, *call, written_, edges);
      return true;
    }

    std::vector<CallEdge> edges;

  private:
    bool hasFloatingChild(const clang::Expr &expression) const {
      for (const clang::Stmt *child : expression.children())
        if (const auto *sub = llvm::dyn_cast_or_null<clang::Expr>(child))
          if (isFloating(*checker_.context_, sub->getType()))
            return true;
      return false;
    }

    Checker &checker_;
    const clang::FunctionDecl &function_;
    const std::set<const clang::VarDecl *> &written_;
  };

  void checkFunction(const clang::FunctionDecl &function) {
    if (isFloating(*context_, function.getReturnType()) && firstFloatingOnLine(function.getLocation()))
      later(function.getLocation(), [this, &function] {
        diags_.Report(function.getLocation(), floatReturn_) << &function << function.getReturnType();
        diags_.Report(floatFix_);
      });
    for (const clang::ParmVarDecl *parameter : function.parameters())
      if (isFloating(*context_, parameter->getType()))
        reportFloatingDeclaration(*parameter, /*parameter=*/true);
    WrittenLocals written;
    written.TraverseStmt(function.getBody());
    RuleVisitor rules(*this, function, written.written);
    rules.TraverseStmt(function.getBody());
    calls_[&function] = std::move(rules.edges);
  }

  void reportFloatingDeclaration(const clang::VarDecl &variable, bool parameter) {
    if (!firstFloatingOnLine(variable.getLocation()))
      return;
    later(variable.getLocation(), [this, &variable, parameter] {
      diags_.Report(variable.getLocation(), floatVariable_) << (parameter ? 1 : 0) << &variable << variable.getType();
      diags_.Report(floatFix_);
    });
  }

  // One floating-point diagnostic per source line: a statement like
  // `x = y * 1.5 + z`, or `float half(float x) { return x / 2; }`, has
  // several floating-point parts.
  bool firstFloatingOnLine(clang::SourceLocation loc) {
    const clang::SourceManager &sources = context_->getSourceManager();
    clang::PresumedLoc presumed = sources.getPresumedLoc(sources.getFileLoc(loc));
    return !presumed.isValid() || floatLines_.insert({presumed.getFilename(), presumed.getLine()}).second;
  }

  void reportFloatingExpression(const clang::Expr &expression) {
    if (!firstFloatingOnLine(expression.getExprLoc()))
      return;
    later(expression.getExprLoc(), [this, &expression] {
      bool literal = llvm::isa<clang::FloatingLiteral>(expression.IgnoreParens());
      diags_.Report(expression.getExprLoc(), floatExpression_)
          << (literal ? 0 : 1) << expression.getType() << expression.getSourceRange();
      diags_.Report(floatFix_);
    });
  }

  void checkCall(const clang::FunctionDecl &caller, const clang::CallExpr &call,
                 const std::set<const clang::VarDecl *> &written, std::vector<CallEdge> &edges) {
    const clang::FunctionDecl *callee = call.getDirectCallee();
    if (!callee) {
      const clang::Expr *target = call.getCallee()->IgnoreParenCasts();
      if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(target))
        if (const auto *variable = llvm::dyn_cast<clang::VarDecl>(ref->getDecl()))
          if (isHelperPointer(*variable, *context_))
            return;
      // A helper called by number: ((T (*)(...))N)(...).
      if (target->getType()->isIntegerType() && target->isEvaluatable(*context_))
        return;
      later(call.getBeginLoc(), [this, &call] {
        diags_.Report(call.getBeginLoc(), indirect_) << call.getCallee()->getSourceRange();
        diags_.Report(indirectFix_);
      });
      return;
    }

    if (unsigned builtin = callee->getBuiltinID()) {
      if (int sizeIndex = sizeArgumentOf(builtin); sizeIndex >= 0)
        checkMemorySize(caller, call, *callee, static_cast<unsigned>(sizeIndex), written);
      else if (context_->BuiltinInfo.isPredefinedLibFunction(builtin) && !isExpandedLibraryFunction(builtin) &&
               !call.isEvaluatable(*context_))
        reportNoBody(call, *callee);
      return;
    }

    const clang::FunctionDecl *definition = callee->getDefinition();
    if (!definition) {
      if (!isKernelFunction(*callee))
        reportNoBody(call, *callee);
    } else {
      edges.push_back({definition, &call});
    }

    unsigned registers = 0;
    for (const clang::Expr *argument : call.arguments())
      registers += registersFor(*context_, argument->getType());
    const clang::FunctionDecl &target = definition ? *definition : *callee;
    if (registers > kMaxRegisterArguments && !isAlwaysInline(target)) {
      wideCallees_.insert(&target);
      later(call.getBeginLoc(), [this, &call, &target, registers] {
        diags_.Report(call.getBeginLoc(), tooManyArguments_) << &target << registers;
        diags_.Report(target.getLocation(), target.doesThisDeclarationHaveABody() ? definedHere_ : declaredHere_)
            << &target;
        diags_.Report(argumentsFix_) << &target;
      });
    }
  }

  void reportNoBody(const clang::CallExpr &call, const clang::FunctionDecl &callee) {
    later(call.getBeginLoc(), [this, &call, &callee] {
      diags_.Report(call.getBeginLoc(), noBody_) << &callee << call.getCallee()->getSourceRange();
      if (!callee.isImplicit())
        diags_.Report(callee.getLocation(), declaredHere_) << &callee;
      diags_.Report(noBodyFix_) << &callee;
    });
  }

  // Whether `expression` is a constant once LLVM has propagated constants
  // within the function: clang can fold it, or it only combines constants
  // and variables initialized with constants that are never written again.
  bool isConstantSize(const clang::Expr &expression, const std::set<const clang::VarDecl *> &written,
                      unsigned depth = 0) const {
    if (depth > kMaxConstantDepth)
      return false;
    if (expression.isEvaluatable(*context_))
      return true;
    const clang::Expr *e = expression.IgnoreParenCasts();
    if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(e)) {
      const auto *variable = llvm::dyn_cast<clang::VarDecl>(ref->getDecl());
      if (!variable || llvm::isa<clang::ParmVarDecl>(variable) || variable->getType().isVolatileQualified())
        return false;
      const clang::Expr *init = variable->getAnyInitializer();
      bool unchanged = variable->hasLocalStorage() ? !written.count(variable)
                                                   : variable->getType().isConstQualified();
      return init && unchanged && isConstantSize(*init, written, depth + 1);
    }
    if (const auto *binary = llvm::dyn_cast<clang::BinaryOperator>(e))
      return !binary->isAssignmentOp() && binary->getOpcode() != clang::BO_Comma &&
             isConstantSize(*binary->getLHS(), written, depth + 1) &&
             isConstantSize(*binary->getRHS(), written, depth + 1);
    if (const auto *unary = llvm::dyn_cast<clang::UnaryOperator>(e))
      return unary->isArithmeticOp() && isConstantSize(*unary->getSubExpr(), written, depth + 1);
    if (const auto *conditional = llvm::dyn_cast<clang::ConditionalOperator>(e))
      return isConstantSize(*conditional->getCond(), written, depth + 1) &&
             isConstantSize(*conditional->getTrueExpr(), written, depth + 1) &&
             isConstantSize(*conditional->getFalseExpr(), written, depth + 1);
    return false;
  }

  // In a static or always_inline function the size may become constant
  // where the function is inlined; the IR passes decide those calls.
  void checkMemorySize(const clang::FunctionDecl &caller, const clang::CallExpr &call,
                       const clang::FunctionDecl &callee, unsigned sizeIndex,
                       const std::set<const clang::VarDecl *> &written) {
    if (sizeIndex >= call.getNumArgs() || isConstantSize(*call.getArg(sizeIndex), written))
      return;
    if (!caller.isExternallyVisible() || isAlwaysInline(caller))
      return;
    const clang::Expr &size = *call.getArg(sizeIndex);
    // A size computed from an integer parameter could become constant
    // where the function is inlined (programs are never inlined).
    struct ParameterUse : public clang::RecursiveASTVisitor<ParameterUse> {
      bool found = false;
      bool VisitDeclRefExpr(clang::DeclRefExpr *ref) {
        const auto *parameter = llvm::dyn_cast<clang::ParmVarDecl>(ref->getDecl());
        found = found || (parameter && parameter->getType()->isIntegerType());
        return true;
      }
    } parameterUse;
    parameterUse.TraverseStmt(const_cast<clang::Expr *>(&size));
    bool fromParameter = parameterUse.found && !caller.hasAttr<clang::SectionAttr>();
    later(size.getBeginLoc(), [this, &callee, &caller, &size, fromParameter] {
      diags_.Report(size.getBeginLoc(), memorySize_) << &callee << size.getSourceRange();
      diags_.Report(memorySizeFix_) << &callee;
      if (fromParameter)
        diags_.Report(memorySizeInline_) << &caller;
    });
  }

  // --- recursion -------------------------------------------------------------

  // Reports each cycle of the call graph once (per strongly connected
  // component), at the first call of the cycle, with the other calls of
  // the cycle as notes.
  void checkRecursion(const std::vector<const clang::FunctionDecl *> &functions) {
    std::map<const clang::FunctionDecl *, unsigned> index, lowlink;
    std::vector<const clang::FunctionDecl *> stack;
    std::set<const clang::FunctionDecl *> onStack;
    unsigned counter = 0;
    std::function<void(const clang::FunctionDecl *)> connect = [&](const clang::FunctionDecl *f) {
      index[f] = lowlink[f] = counter++;
      stack.push_back(f);
      onStack.insert(f);
      for (const CallEdge &edge : calls_[f]) {
        if (!index.count(edge.callee)) {
          connect(edge.callee);
          lowlink[f] = std::min(lowlink[f], lowlink[edge.callee]);
        } else if (onStack.count(edge.callee)) {
          lowlink[f] = std::min(lowlink[f], index[edge.callee]);
        }
      }
      if (lowlink[f] != index[f])
        return;
      std::set<const clang::FunctionDecl *> component;
      const clang::FunctionDecl *member;
      do {
        member = stack.back();
        stack.pop_back();
        onStack.erase(member);
        component.insert(member);
      } while (member != f);
      reportCycle(component, functions);
    };
    for (const clang::FunctionDecl *function : functions)
      if (!index.count(function))
        connect(function);
  }

  void reportCycle(const std::set<const clang::FunctionDecl *> &component,
                   const std::vector<const clang::FunctionDecl *> &order) {
    // The cycle starts at the component's first function in source order.
    const clang::FunctionDecl *start = nullptr;
    for (const clang::FunctionDecl *function : order)
      if (component.count(function)) {
        start = function;
        break;
      }
    if (!start)
      return;
    if (component.size() == 1) {
      for (const CallEdge &edge : calls_[start])
        if (edge.callee == start) {
          later(edge.call->getBeginLoc(), [this, edge] {
            diags_.Report(edge.call->getBeginLoc(), recursionSelf_) << edge.callee;
            diags_.Report(recursionFix_);
          });
          return;
        }
      return;
    }
    // Shortest path back to `start` within the component (breadth first).
    struct Step {
      const clang::FunctionDecl *caller;
      const clang::FunctionDecl *callee;
      const clang::CallExpr *call;
    };
    std::map<const clang::FunctionDecl *, Step> reachedBy; // callee -> the call that first reached it
    std::vector<const clang::FunctionDecl *> frontier{start};
    std::optional<Step> closing;
    for (size_t i = 0; i < frontier.size() && !closing; ++i)
      for (const CallEdge &edge : calls_[frontier[i]]) {
        if (!component.count(edge.callee))
          continue;
        if (edge.callee == start) {
          closing = Step{frontier[i], start, edge.call};
          break;
        }
        if (reachedBy.emplace(edge.callee, Step{frontier[i], edge.callee, edge.call}).second)
          frontier.push_back(edge.callee);
      }
    if (!closing)
      return;
    // The steps from `start` around to `start`.
    std::vector<Step> steps{*closing};
    for (const clang::FunctionDecl *at = closing->caller; at != start; at = reachedBy.at(at).caller)
      steps.push_back(reachedBy.at(at));
    std::reverse(steps.begin(), steps.end());
    std::string path = start->getNameAsString();
    for (const Step &step : steps)
      path += " -> " + step.callee->getNameAsString();
    later(steps.front().call->getBeginLoc(), [this, steps, path] {
      diags_.Report(steps.front().call->getBeginLoc(), recursionCycle_) << path;
      for (size_t i = 1; i < steps.size(); ++i)
        diags_.Report(steps[i].call->getBeginLoc(), recursionStep_) << steps[i].caller << steps[i].callee;
      diags_.Report(recursionFix_);
    });
  }

  // --- functions that stay BPF functions with more than 5 parameters --------

  void checkParameterCount(const clang::FunctionDecl &function) {
    unsigned registers = parameterRegisters(function);
    if (registers <= kMaxRegisterArguments || isAlwaysInline(function) || wideCallees_.count(&function))
      return;
    later(function.getLocation(), [this, &function, registers] {
      diags_.Report(function.getLocation(), tooManyParameters_) << &function << registers;
      diags_.Report(argumentsFix_) << &function;
    });
  }

  clang::DiagnosticsEngine &diags_;
  clang::ASTContext *context_ = nullptr;
  std::vector<PendingDiagnostic> pending_;
  std::map<const clang::FunctionDecl *, std::vector<CallEdge>> calls_;
  std::set<const clang::FunctionDecl *> wideCallees_;
  std::set<std::pair<std::string, unsigned>> floatLines_;
  unsigned recursionSelf_, recursionCycle_, recursionStep_, recursionFix_;
  unsigned noBody_, declaredHere_, noBodyFix_;
  unsigned indirect_, indirectFix_;
  unsigned floatExpression_, floatVariable_, floatReturn_, floatFix_;
  unsigned vla_, vlaFix_;
  unsigned memorySize_, memorySizeFix_, memorySizeInline_;
  unsigned tooManyArguments_, tooManyParameters_, definedHere_, argumentsFix_;
};

} // namespace

std::unique_ptr<clang::ASTConsumer> createRestrictedCChecker(clang::DiagnosticsEngine &diags) {
  return std::make_unique<Checker>(diags);
}

} // namespace ebpfc::frontend

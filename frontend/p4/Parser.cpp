#include "frontend/p4/Parser.h"

#include "frontend/p4/AstBuilder.h"
#include "P4Lexer.h"
#include "P4Parser.h"
#include "P4ParserBaseListener.h"

#include <antlr4-runtime.h>

#include <set>
#include <unordered_set>

namespace ebpfc::p4 {

namespace {

using grammar::P4Lexer;
using grammar::P4Parser;

// Names that denote types, as far as the parser has read: declared types
// (global in P4) and the type parameters of the top-level declaration
// being parsed.
class TypeNameScopes : public grammar::P4ParserBaseListener {
public:
  bool isTypeName(const std::string &name) const {
    if (values_.count(name))
      return false;
    return typeParameters_.count(name) != 0 || types_.count(name) != 0;
  }

  void enterDeclaration(P4Parser::DeclarationContext *) override { clearLocalNames(); }
  void exitDeclaration(P4Parser::DeclarationContext *) override { clearLocalNames(); }
  // Variables and parameters may reuse a type's name inside a declaration;
  // there the name denotes the value. (Rules end early, without a name,
  // when a syntax error stops the parse.)
  void exitVariableDeclarationWithoutSemicolon(P4Parser::VariableDeclarationWithoutSemicolonContext *ctx) override {
    if (ctx->name())
      values_.insert(ctx->name()->getText());
  }
  void exitParameter(P4Parser::ParameterContext *ctx) override {
    if (ctx->name())
      values_.insert(ctx->name()->getText());
  }
  void exitTypeDeclarationName(P4Parser::TypeDeclarationNameContext *ctx) override {
    types_.insert(ctx->getText());
  }
  void exitTypeParameterName(P4Parser::TypeParameterNameContext *ctx) override {
    typeParameters_.insert(ctx->getText());
  }

private:
  void clearLocalNames() {
    typeParameters_.clear();
    values_.clear();
  }

  std::unordered_set<std::string> types_;
  std::unordered_set<std::string> typeParameters_;
  std::unordered_set<std::string> values_; // local names hiding types
};

// Gives each identifier the parser looks at the token type that matches
// what the name denotes at that point (IDENTIFIER or TYPE_IDENTIFIER), the
// way p4c's lexer feedback does. Tokens are retyped whenever they are
// looked at, so a declaration parsed in between is taken into account.
class P4TokenStream : public antlr4::CommonTokenStream {
public:
  P4TokenStream(antlr4::TokenSource *source, const TypeNameScopes &scopes)
      : antlr4::CommonTokenStream(source), scopes_(scopes) {}

  antlr4::Token *LT(ssize_t k) override {
    antlr4::Token *token = antlr4::CommonTokenStream::LT(k);
    if (k > 0 && token &&
        (token->getType() == P4Lexer::IDENTIFIER || token->getType() == P4Lexer::TYPE_IDENTIFIER)) {
      size_t type = scopes_.isTypeName(token->getText()) ? P4Lexer::TYPE_IDENTIFIER : P4Lexer::IDENTIFIER;
      if (type != token->getType())
        if (auto *writable = dynamic_cast<antlr4::WritableToken *>(token))
          writable->setType(type);
    }
    return token;
  }

private:
  const TypeNameScopes &scopes_;
};

// Reports the first syntax error only: what ANTLR finds after recovering
// from one is mostly its consequence, not another mistake.
class SyntaxErrors {
public:
  SyntaxErrors(const SourceMap &map, ir::DiagnosticEngine &diags) : map_(map), diags_(diags) {}

  void report(Loc loc, std::string message) {
    if (count_++ == 0)
      diags_.error(map_.toSourceLocation(loc), std::move(message));
  }
  // Where a token starts; the end of input is just after the last token.
  Loc at(const antlr4::Token *token) const {
    if (token->getType() == antlr4::Token::EOF && tokens_ && token->getTokenIndex() > 0)
      return after(tokens_->get(token->getTokenIndex() - 1));
    return map_.locate(token->getLine(), token->getCharPositionInLine() + 1);
  }
  // Just after a token: where a missing ';' belongs.
  Loc after(const antlr4::Token *token) const {
    Loc loc = map_.locate(token->getLine(), token->getCharPositionInLine() + 1);
    loc.column += static_cast<uint32_t>(token->getStopIndex() - token->getStartIndex() + 1);
    return loc;
  }
  unsigned count() const { return count_; }
  void setTokens(antlr4::BufferedTokenStream *tokens) { tokens_ = tokens; }
  antlr4::BufferedTokenStream *tokens() const { return tokens_; }

private:
  const SourceMap &map_;
  ir::DiagnosticEngine &diags_;
  antlr4::BufferedTokenStream *tokens_ = nullptr;
  unsigned count_ = 0;
};

std::string describeToken(const antlr4::Token *token) {
  if (token->getType() == antlr4::Token::EOF)
    return "end of input";
  return "'" + token->getText() + "'";
}

std::string describeTokenType(const antlr4::dfa::Vocabulary &vocabulary, size_t type) {
  switch (type) {
  case antlr4::Token::EOF: return "end of input";
  case P4Lexer::IDENTIFIER: return "a name";
  case P4Lexer::TYPE_IDENTIFIER: return "a type name";
  case P4Lexer::INTEGER: return "an integer";
  case P4Lexer::STRING_LITERAL: return "a string";
  default: return vocabulary.getLiteralName(type);
  }
}

// "';'", "';' or ','", or "" when the set is too large to be helpful.
std::string describeExpected(const antlr4::Parser *parser, const antlr4::misc::IntervalSet &expected) {
  std::set<std::string> names;
  for (ssize_t type : expected.toList()) {
    if (type == P4Lexer::TYPE_IDENTIFIER && expected.contains(static_cast<ssize_t>(P4Lexer::IDENTIFIER)))
      continue; // "a name" covers both
    std::string name = describeTokenType(parser->getVocabulary(), static_cast<size_t>(type));
    if (name.empty())
      return {};
    names.insert(name);
  }
  if (names.empty() || names.size() > 4)
    return {};
  std::string text;
  size_t i = 0;
  for (const std::string &name : names) {
    if (i++)
      text += i == names.size() ? " or " : ", ";
    text += name;
  }
  return text;
}

// ANTLR's error detection with messages in the style of the rest of
// ebpfc; parsing stops at the first error.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  explicit ErrorStrategy(SyntaxErrors &errors) : errors_(errors) {}

protected:
  void reportNoViableAlternative(antlr4::Parser *, const antlr4::NoViableAltException &e) override {
    reportUnexpected(e.getOffendingToken(), "");
  }

  void reportInputMismatch(antlr4::Parser *recognizer, const antlr4::InputMismatchException &e) override {
    reportUnexpected(e.getOffendingToken(), describeExpected(recognizer, e.getExpectedTokens()));
  }

  void reportFailedPredicate(antlr4::Parser *, const antlr4::FailedPredicateException &e) override {
    reportUnexpected(e.getOffendingToken(), "");
  }

  void reportUnwantedToken(antlr4::Parser *recognizer) override {
    reportUnexpected(recognizer->getCurrentToken(), describeExpected(recognizer, getExpectedTokens(recognizer)));
  }

  void reportMissingToken(antlr4::Parser *recognizer) override {
    std::string expected = describeExpected(recognizer, getExpectedTokens(recognizer));
    antlr4::Token *previous = recognizer->getTokenStream()->LT(-1);
    Loc loc = previous ? errors_.after(previous) : errors_.at(recognizer->getCurrentToken());
    errors_.report(loc, "expected " + (expected.empty() ? std::string("more input") : expected));
    throw antlr4::ParseCancellationException();
  }

private:
  void reportUnexpected(antlr4::Token *token, const std::string &expected) {
    // "T x" where T names no type: say so rather than "unexpected 'T'".
    antlr4::Token *next = nullptr;
    if (errors_.tokens() && token->getType() != antlr4::Token::EOF)
      next = errors_.tokens()->get(token->getTokenIndex() + 1);
    if (token->getType() == P4Lexer::IDENTIFIER && next && next->getType() == P4Lexer::IDENTIFIER) {
      errors_.report(errors_.at(token), "unknown type '" + token->getText() + "'");
    } else if (token->getType() == antlr4::Token::EOF) {
      errors_.report(errors_.at(token), expected.empty() ? "unexpected end of input"
                                                         : "expected " + expected + " at end of input");
    } else {
      errors_.report(errors_.at(token), expected.empty() ? "unexpected " + describeToken(token)
                                                         : "expected " + expected + ", found " + describeToken(token));
    }
    throw antlr4::ParseCancellationException();
  }

  SyntaxErrors &errors_;
};

// Nesting deeper than this is refused before parsing: the parser recurses
// once per level and must not run out of stack.
constexpr int kMaxNesting = 256;

bool checkNesting(antlr4::CommonTokenStream &tokens, SyntaxErrors &errors) {
  tokens.fill();
  int depth = 0;
  for (antlr4::Token *token : tokens.getTokens()) {
    switch (token->getType()) {
    case P4Lexer::LPAREN: case P4Lexer::LBRACKET: case P4Lexer::LBRACE:
      if (++depth > kMaxNesting) {
        errors.report(errors.at(token), "brackets nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)");
        return false;
      }
      break;
    case P4Lexer::RPAREN: case P4Lexer::RBRACKET: case P4Lexer::RBRACE:
      depth = depth > 0 ? depth - 1 : 0;
      break;
    default:
      break;
    }
  }
  return true;
}

} // namespace

std::unique_ptr<Program> parseProgram(const PreprocessedSource &source, ir::DiagnosticEngine &diags) {
  SyntaxErrors errors(source.sourceMap, diags);
  try {
    antlr4::ANTLRInputStream input(source.text);
    P4Lexer lexer(&input);
    lexer.removeErrorListeners();
    TypeNameScopes scopes;
    P4TokenStream tokens(&lexer, scopes);
    errors.setTokens(&tokens);
    if (!checkNesting(tokens, errors))
      return nullptr;
    P4Parser parser(&tokens);
    parser.removeErrorListeners();
    parser.setErrorHandler(std::make_shared<ErrorStrategy>(errors));
    parser.addParseListener(&scopes);
    P4Parser::ProgramContext *tree = parser.program();
    if (errors.count() != 0)
      return nullptr;
    return buildAst(tree, source.sourceMap, diags);
  } catch (const antlr4::ParseCancellationException &) {
    return nullptr; // the first syntax error was reported
  } catch (const std::exception &e) {
    errors.report({}, std::string("internal error in the P4 parser: ") + e.what());
    return nullptr;
  }
}

} // namespace ebpfc::p4

#include "frontend/p4/Ast.h"

namespace ebpfc::p4 {

const Annotation *findAnnotation(const std::vector<Annotation> &annotations, const std::string &name) {
  for (const Annotation &a : annotations)
    if (a.name == name)
      return &a;
  return nullptr;
}

std::string nameAnnotation(const std::vector<Annotation> &annotations) {
  const Annotation *a = findAnnotation(annotations, "name");
  if (!a || a->tokens.size() != 1 || a->tokens[0].size() < 2 || a->tokens[0].front() != '"')
    return {};
  return a->tokens[0].substr(1, a->tokens[0].size() - 2);
}

const char *binaryOpSpelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Mul: return "*";
  case BinaryOp::Div: return "/";
  case BinaryOp::Mod: return "%";
  case BinaryOp::Add: return "+";
  case BinaryOp::Sub: return "-";
  case BinaryOp::SatAdd: return "|+|";
  case BinaryOp::SatSub: return "|-|";
  case BinaryOp::Concat: return "++";
  case BinaryOp::Shl: return "<<";
  case BinaryOp::Shr: return ">>";
  case BinaryOp::BitAnd: return "&";
  case BinaryOp::BitXor: return "^";
  case BinaryOp::BitOr: return "|";
  case BinaryOp::Le: return "<=";
  case BinaryOp::Ge: return ">=";
  case BinaryOp::Lt: return "<";
  case BinaryOp::Gt: return ">";
  case BinaryOp::Eq: return "==";
  case BinaryOp::Ne: return "!=";
  case BinaryOp::And: return "&&";
  case BinaryOp::Or: return "||";
  }
  return "?";
}

const char *unaryOpSpelling(UnaryOp op) {
  switch (op) {
  case UnaryOp::Not: return "!";
  case UnaryOp::Complement: return "~";
  case UnaryOp::Negate: return "-";
  case UnaryOp::Plus: return "+";
  }
  return "?";
}

const char *directionSpelling(Direction direction) {
  switch (direction) {
  case Direction::None: return "";
  case Direction::In: return "in";
  case Direction::Out: return "out";
  case Direction::InOut: return "inout";
  }
  return "";
}

const TableProperty *TableDecl::findProperty(const std::string &name) const {
  for (const TableProperty &p : properties)
    if (p.name == name)
      return &p;
  return nullptr;
}

} // namespace ebpfc::p4

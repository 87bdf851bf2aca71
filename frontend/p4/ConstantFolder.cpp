#include "frontend/p4/ConstantFolder.h"

#include <llvm/ADT/SmallString.h>

namespace ebpfc::p4 {

namespace {

bool isSignedInteger(const Type *type) {
  if (type->kind == TypeKind::InfInt)
    return true;
  const Type *bits = type->bitsRepresentation();
  return bits && bits->isSigned;
}

unsigned widthOf(const Type *type) {
  if (type->kind == TypeKind::InfInt)
    return kInfiniteIntWidth;
  if (type->kind == TypeKind::Bool)
    return 1;
  const Type *bits = type->bitsRepresentation();
  return bits ? bits->width : kInfiniteIntWidth;
}

// The integer value of `c` (of type `type`) at `width` bits, extended by
// its own signedness.
llvm::APInt resized(const Constant &c, const Type *type, unsigned width) {
  return isSignedInteger(type) ? c.value.sextOrTrunc(width) : c.value.zextOrTrunc(width);
}

} // namespace

Constant integerConstant(const llvm::APInt &value, const Type *type) {
  Constant c;
  c.kind = Constant::Kind::Integer;
  c.value = value.sextOrTrunc(widthOf(type));
  return c;
}

Constant booleanConstant(bool value) {
  Constant c;
  c.kind = Constant::Kind::Boolean;
  c.value = llvm::APInt(1, value ? 1 : 0);
  return c;
}

Constant memberConstant(unsigned index) {
  Constant c;
  c.kind = Constant::Kind::Member;
  c.memberIndex = index;
  return c;
}

Constant castConstant(const Constant &value, const Type *from, const Type *to) {
  if (to->kind == TypeKind::Bool)
    return booleanConstant(!value.value.isZero());
  if (value.kind == Constant::Kind::Boolean) {
    Constant c;
    c.value = value.value.zext(widthOf(to));
    return c;
  }
  Constant c = value;
  c.kind = Constant::Kind::Integer;
  c.value = resized(value, from, widthOf(to));
  return c;
}

std::optional<Constant> foldUnary(UnaryOp op, const Constant &operand, const Type *type, std::string &error) {
  switch (op) {
  case UnaryOp::Not: return booleanConstant(operand.value.isZero());
  case UnaryOp::Complement: {
    Constant c = operand;
    c.value.flipAllBits();
    return c;
  }
  case UnaryOp::Negate: {
    Constant c = operand;
    c.value.negate();
    return c;
  }
  case UnaryOp::Plus: return operand;
  }
  return std::nullopt;
}

std::optional<Constant> foldBinary(BinaryOp op, const Constant &left, const Type *leftType, const Constant &right,
                                   const Type *rightType, const Type *resultType, std::string &error) {
  bool isSigned = isSignedInteger(leftType);
  switch (op) {
  case BinaryOp::And: return booleanConstant(!left.value.isZero() && !right.value.isZero());
  case BinaryOp::Or: return booleanConstant(!left.value.isZero() || !right.value.isZero());
  case BinaryOp::Eq:
  case BinaryOp::Ne: {
    bool equal = constantsEqual(left, right);
    return booleanConstant(op == BinaryOp::Eq ? equal : !equal);
  }
  case BinaryOp::Lt: return booleanConstant(isSigned ? left.value.slt(right.value) : left.value.ult(right.value));
  case BinaryOp::Le: return booleanConstant(isSigned ? left.value.sle(right.value) : left.value.ule(right.value));
  case BinaryOp::Gt: return booleanConstant(isSigned ? left.value.sgt(right.value) : left.value.ugt(right.value));
  case BinaryOp::Ge: return booleanConstant(isSigned ? left.value.sge(right.value) : left.value.uge(right.value));
  case BinaryOp::Concat: {
    unsigned rightWidth = widthOf(rightType);
    unsigned width = widthOf(leftType) + rightWidth;
    llvm::APInt value = left.value.zext(width).shl(rightWidth) | right.value.zext(width);
    Constant c;
    c.value = value;
    return c;
  }
  case BinaryOp::Shl:
  case BinaryOp::Shr: {
    if (isSignedInteger(rightType) && right.value.isNegative()) {
      error = "shift amount " + constantText(right, rightType) + " is negative";
      return std::nullopt;
    }
    unsigned width = left.value.getBitWidth();
    uint64_t amount = right.value.getActiveBits() > 32 ? width : right.value.getZExtValue();
    Constant c = left;
    if (op == BinaryOp::Shl)
      c.value = amount >= width ? llvm::APInt(width, 0) : left.value.shl(static_cast<unsigned>(amount));
    else if (isSigned)
      c.value = left.value.ashr(static_cast<unsigned>(std::min<uint64_t>(amount, width - 1)));
    else
      c.value = amount >= width ? llvm::APInt(width, 0) : left.value.lshr(static_cast<unsigned>(amount));
    return c;
  }
  default:
    break;
  }
  // Arithmetic and bitwise operators: both operands have the result's type.
  llvm::APInt a = resized(left, leftType, widthOf(resultType));
  llvm::APInt b = resized(right, rightType, widthOf(resultType));
  Constant c;
  switch (op) {
  case BinaryOp::Add: c.value = a + b; break;
  case BinaryOp::Sub: c.value = a - b; break;
  case BinaryOp::Mul: c.value = a * b; break;
  case BinaryOp::SatAdd: c.value = isSigned ? a.sadd_sat(b) : a.uadd_sat(b); break;
  case BinaryOp::SatSub: c.value = isSigned ? a.ssub_sat(b) : a.usub_sat(b); break;
  case BinaryOp::BitAnd: c.value = a & b; break;
  case BinaryOp::BitOr: c.value = a | b; break;
  case BinaryOp::BitXor: c.value = a ^ b; break;
  case BinaryOp::Div:
  case BinaryOp::Mod:
    if (b.isZero()) {
      error = op == BinaryOp::Div ? "division by zero" : "modulo by zero";
      return std::nullopt;
    }
    if (isSigned && (a.isNegative() || b.isNegative())) {
      error = std::string("'") + binaryOpSpelling(op) + "' is only defined on positive values";
      return std::nullopt;
    }
    c.value = op == BinaryOp::Div ? a.udiv(b) : a.urem(b);
    break;
  default:
    return std::nullopt;
  }
  return c;
}

Constant foldSlice(const Constant &value, unsigned high, unsigned low) {
  Constant c;
  c.value = value.value.extractBits(high - low + 1, low);
  return c;
}

std::string constantText(const Constant &value, const Type *type) {
  switch (value.kind) {
  case Constant::Kind::Boolean: return value.value.isZero() ? "false" : "true";
  case Constant::Kind::String: return "\"" + value.text + "\"";
  case Constant::Kind::Member: return std::to_string(value.memberIndex);
  case Constant::Kind::Integer: break;
  }
  llvm::SmallString<40> text;
  value.value.toString(text, 10, type && isSignedInteger(type));
  return std::string(text);
}

bool constantsEqual(const Constant &a, const Constant &b) {
  if (a.kind != b.kind)
    return false;
  switch (a.kind) {
  case Constant::Kind::Member: return a.memberIndex == b.memberIndex;
  case Constant::Kind::String: return a.text == b.text;
  default: {
    unsigned width = std::max(a.value.getBitWidth(), b.value.getBitWidth());
    return a.value.zext(width) == b.value.zext(width);
  }
  }
}

} // namespace ebpfc::p4

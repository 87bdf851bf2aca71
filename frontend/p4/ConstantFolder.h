// Compile-time evaluation of P4 operators on constants, with P4's
// semantics: fixed-width values wrap (or saturate for |+| and |-|), shifts
// by the width or more give 0 (or the sign), the arbitrary-precision int
// is exact. Integers of a type of width W are APInts of W bits; the
// arbitrary-precision int is an APInt of kInfiniteIntWidth bits.
#pragma once

#include "frontend/p4/Ast.h"
#include "frontend/p4/Types.h"

#include <optional>
#include <string>

namespace ebpfc::p4 {

Constant integerConstant(const llvm::APInt &value, const Type *type);
Constant booleanConstant(bool value);
Constant memberConstant(unsigned index);

// The value converted to `to` (an integer type, bool or serializable enum).
Constant castConstant(const Constant &value, const Type *from, const Type *to);

// Null with `error` set when the operation is undefined (division by zero,
// a negative shift amount, ...).
std::optional<Constant> foldUnary(UnaryOp op, const Constant &operand, const Type *type, std::string &error);
std::optional<Constant> foldBinary(BinaryOp op, const Constant &left, const Type *leftType, const Constant &right,
                                   const Type *rightType, const Type *resultType, std::string &error);
Constant foldSlice(const Constant &value, unsigned high, unsigned low);

// Decimal text of an integer constant of `type` (signed when the type is).
std::string constantText(const Constant &value, const Type *type);
bool constantsEqual(const Constant &a, const Constant &b);

} // namespace ebpfc::p4

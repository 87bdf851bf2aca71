// Turns the ANTLR parse tree of a P4 program into the AST (Ast.h). Syntax
// the grammar accepts but P4 forbids in a way only visible with the whole
// construct at hand (e.g. "> >" written apart as a shift) is reported here.
#pragma once

#include "frontend/p4/Ast.h"
#include "ir/Diagnostics.h"
#include "P4Parser.h"

#include <memory>

namespace ebpfc::p4 {

// Null when a construct could not be represented (reported).
std::unique_ptr<Program> buildAst(grammar::P4Parser::ProgramContext *tree, const SourceMap &sourceMap,
                                  ir::DiagnosticEngine &diags);

} // namespace ebpfc::p4

// Lowers a checked P4 program for its architecture to an ir::Module: one
// eBPF program that runs the package's parser, controls and deparser,
// with per-packet state in a per-CPU scratch map, tables and counters as
// BTF-defined maps, and debug info pointing at P4 lines.
//
// Architectures (the package instance named "main"):
//  - ebpfFilter(parse, filter): a tc classifier (SEC "tc", TC_ACT_OK when
//    the filter accepts, TC_ACT_SHOT otherwise); @xdp on the instance makes
//    it an XDP program (XDP_PASS / XDP_DROP).
//  - xdp(xdp_parse, xdp_switch, xdp_deparse): an XDP program returning
//    the switch's output_action; XDP_REDIRECT goes to output_port.
#pragma once

#include "frontend/p4/Ast.h"
#include "frontend/p4/TypeChecker.h"
#include "ir/Module.h"

#include <memory>

namespace ebpfc::p4 {

std::unique_ptr<ir::Module> lowerProgram(Program &program, CheckedProgram &checked, TypeContext &types,
                                         const SourceMap &sourceMap, const ir::Target &target,
                                         const std::string &inputFile, ir::DiagnosticEngine &diags);

} // namespace ebpfc::p4

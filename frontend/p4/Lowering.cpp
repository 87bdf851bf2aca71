#include "frontend/p4/Lowering.h"

#include "frontend/p4/BodyLowerer.h"
#include "ir/TargetMachine.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

namespace ebpfc::p4 {

namespace {

// XDP return codes, in the order of xdp_model.p4's xdp_action.
enum XdpAction : uint32_t { kXdpAborted = 0, kXdpDrop = 1, kXdpPass = 2, kXdpTx = 3, kXdpRedirect = 4 };
constexpr uint32_t kTcOk = 0;
constexpr uint32_t kTcShot = 2;

const BlockTypeDecl *blockArgument(const InstanceDecl &main, size_t index) {
  if (index >= main.arguments.size())
    return nullptr;
  const Expr &e = *main.arguments[index].value;
  if (!e.type || (e.type->kind != TypeKind::Parser && e.type->kind != TypeKind::Control))
    return nullptr;
  return static_cast<const BlockTypeDecl *>(e.type->declaration);
}

class ProgramLowering {
public:
  ProgramLowering(LoweringContext &cx, const InstanceDecl &main) : cx_(cx), main_(main), packet_(cx), body_(cx, packet_) {}

  bool run() {
    const std::string &package = main_.type->name;
    if (package == "ebpfFilter")
      return lowerFilter();
    if (package == "xdp")
      return lowerXdp();
    cx_.error(main_.loc, "package '" + package + "' is not an architecture the eBPF target supports; use ebpfFilter "
                         "(ebpf_model.p4) or xdp (xdp_model.p4)");
    return false;
  }

private:
  llvm::IRBuilder<> &b() { return cx_.builder; }

  // The program function, its scratch area and the abort block every
  // architecture needs; continues in the block after the scratch lookup.
  void begin(const std::string &name, const char *section, const char *contextType) {
    auto *signature = llvm::FunctionType::get(cx_.i32(), {cx_.pointer()}, false);
    llvm::Function *f = llvm::Function::Create(signature, llvm::GlobalValue::ExternalLinkage, name, *cx_.module);
    f->setSection(section);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    f->setDSOLocal(true);
    cx_.function = f;
    cx_.contextArgument = f->getArg(0);
    cx_.contextArgument->setName("ctx");
    cx_.debug.describeFunction(*f, main_.loc, contextType);
    cx_.keep(f);
    b().SetInsertPoint(llvm::BasicBlock::Create(cx_.llvm, "entry", f));
    cx_.at(main_.loc);
    llvm::Value *unavailable = cx_.openScratch();
    abort_ = cx_.newBlock("abort");
    start_ = cx_.newBlock("start");
    b().CreateCondBr(unavailable, abort_, start_);
    b().SetInsertPoint(abort_);
    b().CreateRet(b().getInt32(static_cast<uint32_t>(cx_.abortVerdict())));
    b().SetInsertPoint(start_);
    packet_.loadBounds();
  }

  void finish() {
    cx_.closeScratch(&*start_->getFirstInsertionPt(), main_.loc);
  }

  // Binds the parser's parameters and lowers it; the headers are in scratch.
  bool lowerParser(const BlockTypeDecl &parser, ParserFrame &frame, llvm::Value *&headers, const Type *&headersType) {
    if (parser.parameters.size() != 2) {
      cx_.error(parser.loc, "the parser must take (packet_in, out headers)");
      return false;
    }
    const ParameterDecl &out = *parser.parameters[1];
    headersType = out.type;
    headers = cx_.scratch(headersType, out.name);
    body_.bindings[&out] = Binding{headers, nullptr, headersType};
    frame.accept = cx_.newBlock("parser_accept");
    frame.reject = cx_.newBlock("parser_reject");
    frame.cursor = cx_.entryAlloca(cx_.i64(), "cursor");
    frame.error = cx_.entryAlloca(cx_.i32(), "parser_error");
    frame.parser = &parser;
    b().CreateStore(b().getInt64(0), frame.cursor);
    b().CreateStore(b().getInt32(0), frame.error);
    body_.lowerParser(parser, frame);
    return true;
  }

  bool lowerFilter() {
    const BlockTypeDecl *parser = blockArgument(main_, 0);
    const BlockTypeDecl *filter = blockArgument(main_, 1);
    if (!parser || !filter) {
      cx_.error(main_.loc, "ebpfFilter needs a parser and a control");
      return false;
    }
    bool xdp = findAnnotation(main_.annotations, "xdp") != nullptr;
    cx_.hook = xdp ? Hook::Xdp : Hook::Tc;
    begin("ebpf_filter", xdp ? "xdp" : "tc", xdp ? "xdp_md" : "__sk_buff");
    uint32_t pass = xdp ? kXdpPass : kTcOk;
    uint32_t drop = xdp ? kXdpDrop : kTcShot;

    ParserFrame frame;
    llvm::Value *headers = nullptr;
    const Type *headersType = nullptr;
    if (!lowerParser(*parser, frame, headers, headersType))
      return false;
    b().SetInsertPoint(frame.reject);
    cx_.at(parser->loc);
    b().CreateRet(b().getInt32(drop));

    b().SetInsertPoint(frame.accept);
    cx_.at(filter->loc);
    if (filter->parameters.size() != 2) {
      cx_.error(filter->loc, "the filter control must take (inout headers, out bool accept)");
      return false;
    }
    body_.bindings[filter->parameters[0].get()] = Binding{headers, nullptr, headersType};
    llvm::AllocaInst *accept = cx_.entryAlloca(cx_.i8(), filter->parameters[1]->name);
    b().CreateStore(b().getInt8(0), accept);
    body_.bindings[filter->parameters[1].get()] = Binding{accept, nullptr, cx_.types.boolType()};
    llvm::BasicBlock *end = cx_.newBlock("filter_end");
    body_.lowerControlBody(*filter, end);
    b().SetInsertPoint(end);
    cx_.at(filter->body->endLoc);
    llvm::Value *accepted = b().CreateICmpNE(b().CreateLoad(cx_.i8(), accept), b().getInt8(0));
    b().CreateRet(b().CreateSelect(accepted, b().getInt32(pass), b().getInt32(drop)));
    finish();
    return true;
  }

  bool lowerXdp() {
    const BlockTypeDecl *parser = blockArgument(main_, 0);
    const BlockTypeDecl *control = blockArgument(main_, 1);
    const BlockTypeDecl *deparser = blockArgument(main_, 2);
    if (!parser || !control || !deparser) {
      cx_.error(main_.loc, "xdp needs a parser, a switch control and a deparser");
      return false;
    }
    cx_.hook = Hook::Xdp;
    begin("xdp_main", "xdp", "xdp_md");

    ParserFrame frame;
    llvm::Value *headers = nullptr;
    const Type *headersType = nullptr;
    if (!lowerParser(*parser, frame, headers, headersType))
      return false;
    b().SetInsertPoint(frame.reject);
    cx_.at(parser->loc);
    b().CreateRet(b().getInt32(kXdpDrop));

    // ---- the switch: (inout H headers, in xdp_input imd, out xdp_output omd)
    b().SetInsertPoint(frame.accept);
    cx_.at(control->loc);
    if (control->parameters.size() != 3 || deparser->parameters.size() != 2) {
      cx_.error(control->loc, "the xdp switch must take (inout headers, in xdp_input, out xdp_output) and the "
                              "deparser (in headers, packet_out)");
      return false;
    }
    body_.bindings[control->parameters[0].get()] = Binding{headers, nullptr, headersType};
    const ParameterDecl &input = *control->parameters[1];
    const ParameterDecl &output = *control->parameters[2];
    llvm::Value *imd = cx_.scratch(input.type, input.name);
    llvm::Value *omd = cx_.scratch(output.type, output.name);
    // xdp_input.input_port: struct xdp_md's ingress_ifindex (offset 12).
    llvm::Value *ifindex = b().CreateAlignedLoad(cx_.i32(), cx_.byteAddress(cx_.contextArgument, 12), llvm::Align(4));
    if (int port = input.type->fieldIndex("input_port"); port >= 0)
      cx_.storeValue(cx_.fieldAddress(imd, input.type, static_cast<unsigned>(port)), input.type->fields[port].type, ifindex);
    body_.bindings[&input] = Binding{imd, nullptr, input.type};
    body_.bindings[&output] = Binding{omd, nullptr, output.type};
    llvm::BasicBlock *switchEnd = cx_.newBlock("switch_end");
    body_.lowerControlBody(*control, switchEnd);
    b().SetInsertPoint(switchEnd);
    cx_.at(control->body->endLoc);
    int actionField = output.type->fieldIndex("output_action");
    int portField = output.type->fieldIndex("output_port");
    if (actionField < 0 || portField < 0) {
      cx_.error(output.loc, "xdp_output needs output_action and output_port fields");
      return false;
    }
    llvm::Value *action = cx_.loadValue(cx_.fieldAddress(omd, output.type, static_cast<unsigned>(actionField)),
                                        output.type->fields[actionField].type);
    action = b().CreateZExtOrTrunc(action, cx_.i32());
    // Dropped packets are not deparsed.
    llvm::BasicBlock *deparse = cx_.newBlock("deparse");
    llvm::BasicBlock *verdict = cx_.newBlock("verdict");
    b().CreateCondBr(b().CreateICmpULE(action, b().getInt32(kXdpDrop)), verdict, deparse);

    // ---- the deparser: measure, move the packet start, write.
    b().SetInsertPoint(deparse);
    cx_.at(deparser->loc);
    body_.bindings[deparser->parameters[0].get()] = Binding{headers, nullptr, headersType};
    DeparserFrame deparserFrame;
    deparserFrame.offset = cx_.entryAlloca(cx_.i64(), "emitted");
    deparserFrame.fail = abort_;
    body_.deparser = &deparserFrame;
    b().CreateStore(b().getInt64(0), deparserFrame.offset);
    llvm::BasicBlock *measured = cx_.newBlock("deparser_measured");
    body_.lowerControlBody(*deparser, measured);
    b().SetInsertPoint(measured);
    llvm::Value *emitted = b().CreateLoad(cx_.i64(), deparserFrame.offset);
    llvm::Value *parsed = b().CreateLoad(cx_.i64(), frame.cursor);
    llvm::Value *delta = b().CreateSub(parsed, emitted);
    llvm::BasicBlock *adjust = cx_.newBlock("adjust_head");
    llvm::BasicBlock *write = cx_.newBlock("deparser_write");
    b().CreateCondBr(b().CreateICmpEQ(delta, b().getInt64(0)), write, adjust);
    b().SetInsertPoint(adjust);
    llvm::Value *status = cx_.callHelper("xdp_adjust_head", cx_.i64(),
                                         {cx_.contextArgument, b().CreateTrunc(delta, cx_.i32())});
    b().CreateCondBr(b().CreateICmpSLT(status, b().getInt64(0)), abort_, write);
    b().SetInsertPoint(write);
    packet_.loadBounds();
    deparserFrame.measuring = false;
    b().CreateStore(b().getInt64(0), deparserFrame.offset);
    llvm::BasicBlock *written = cx_.newBlock("deparser_written");
    body_.lowerControlBody(*deparser, written);
    b().SetInsertPoint(written);
    body_.deparser = nullptr;
    b().CreateBr(verdict);

    // ---- the verdict
    b().SetInsertPoint(verdict);
    cx_.at(control->body->endLoc);
    llvm::BasicBlock *redirect = cx_.newBlock("redirect");
    llvm::BasicBlock *other = cx_.newBlock("return_action");
    b().CreateCondBr(b().CreateICmpEQ(action, b().getInt32(kXdpRedirect)), redirect, other);
    b().SetInsertPoint(redirect);
    llvm::Value *port = cx_.loadValue(cx_.fieldAddress(omd, output.type, static_cast<unsigned>(portField)),
                                      output.type->fields[portField].type);
    llvm::Value *redirected = cx_.callHelper("redirect", cx_.i64(), {b().CreateZExtOrTrunc(port, cx_.i32()), b().getInt64(0)});
    b().CreateRet(b().CreateTrunc(redirected, cx_.i32()));
    b().SetInsertPoint(other);
    b().CreateRet(action);
    finish();
    return true;
  }

  LoweringContext &cx_;
  const InstanceDecl &main_;
  PacketAccess packet_;
  BodyLowerer body_;
  llvm::BasicBlock *abort_ = nullptr;
  llvm::BasicBlock *start_ = nullptr;
};

} // namespace

std::unique_ptr<ir::Module> lowerProgram(Program &program, CheckedProgram &checked, TypeContext &types,
                                         const SourceMap &sourceMap, const ir::Target &target,
                                         const std::string &inputFile, ir::DiagnosticEngine &diags) {
  if (!checked.main) {
    diags.error(ir::SourceLocation{inputFile, 0, 0}, "the program has no package instance named 'main'",
                {{{}, "instantiate the architecture, e.g. 'ebpfFilter(prs(), filt()) main;'"}});
    return nullptr;
  }
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>(inputFile, *context);
  std::unique_ptr<llvm::TargetMachine> machine = ir::createTargetMachine(target, 2);
  ir::prepareModule(*module, *machine);
  llvm::DataLayout dataLayout = module->getDataLayout();
  uint32_t mainFile = checked.main->loc.file;
  LoweringContext cx(*context, std::move(module), dataLayout, program, checked, types, sourceMap, diags, mainFile);
  if (!checked.main->type)
    return nullptr;
  ProgramLowering lowering(cx, *checked.main);
  bool ok = lowering.run();

  // p4c's eBPF backend declares the same license: GPL-only helpers stay usable.
  auto *license = new llvm::GlobalVariable(*cx.module, llvm::ArrayType::get(cx.i8(), 4), true,
                                           llvm::GlobalValue::ExternalLinkage,
                                           llvm::ConstantDataArray::getString(*context, "GPL"), "_license");
  license->setSection("license");
  license->setAlignment(llvm::Align(1));
  cx.keep(license);
  cx.emitUsedList();
  cx.debug.finalize();
  if (!ok || cx.failed() || diags.hasErrors())
    return nullptr;
  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyModule(*cx.module, &stream)) {
    diags.error(inputFile + ": internal error: the lowered P4 program is not valid LLVM IR: " + stream.str());
    return nullptr;
  }
  auto result = std::make_unique<ir::Module>(std::move(context), std::move(cx.module), target, inputFile);
  if (!ir::readProgramModel(*result, diags))
    return nullptr;
  return result;
}

} // namespace ebpfc::p4

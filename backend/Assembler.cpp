#include "backend/Assembler.h"

#include "ir/TargetMachine.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/MC/MCAsmBackend.h>
#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCCodeEmitter.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCFixup.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCObjectFileInfo.h>
#include <llvm/MC/MCObjectWriter.h>
#include <llvm/MC/MCParser/MCAsmParser.h>
#include <llvm/MC/MCParser/MCTargetAsmParser.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCStreamer.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

namespace ebpfc::backend {

namespace {

void reportAsmDiagnostic(const llvm::SMDiagnostic &d, void *context) {
  auto &diags = *static_cast<ir::DiagnosticEngine *>(context);
  ir::Diagnostic out;
  switch (d.getKind()) {
  case llvm::SourceMgr::DK_Warning: out.severity = ir::Severity::Warning; break;
  case llvm::SourceMgr::DK_Note:
  case llvm::SourceMgr::DK_Remark: out.severity = ir::Severity::Note; break;
  default: out.severity = ir::Severity::Error; break;
  }
  out.loc = {d.getFilename().str(), d.getLineNo() > 0 ? unsigned(d.getLineNo()) : 0u,
             d.getColumnNo() >= 0 ? unsigned(d.getColumnNo() + 1) : 0u};
  out.message = d.getMessage().str();
  out.sourceLine = d.getLineContents().str();
  diags.report(std::move(out));
}

// A first pass over the source that emits nothing but checks every
// instruction's fixups: LLVM 19's BPF object writer crashes on a symbol in an
// operand other than a jump, call or 64-bit immediate load (`r0 += sym`).
class FixupChecker : public llvm::MCStreamer {
public:
  FixupChecker(llvm::MCContext &context, llvm::MCCodeEmitter &emitter, llvm::SourceMgr &sources)
      : llvm::MCStreamer(context), emitter_(emitter), sources_(sources) {}

  void emitInstruction(const llvm::MCInst &inst, const llvm::MCSubtargetInfo &subtarget) override {
    llvm::SmallVector<char, 16> code;
    llvm::SmallVector<llvm::MCFixup, 2> fixups;
    emitter_.encodeInstruction(inst, code, fixups, subtarget);
    if (fixups.empty() || code.empty())
      return;
    uint8_t instructionClass = static_cast<uint8_t>(code[0]) & 0x07;
    constexpr uint8_t kLd = 0x00, kJmp = 0x05, kJmp32 = 0x06;
    if (instructionClass != kLd && instructionClass != kJmp && instructionClass != kJmp32)
      sources_.PrintMessage(inst.getLoc(), llvm::SourceMgr::DK_Error,
                            "a symbol can only be the operand of a jump, a call or a 64-bit immediate load "
                            "('r1 = symbol ll')");
  }
  bool emitSymbolAttribute(llvm::MCSymbol *, llvm::MCSymbolAttr) override { return true; }
  void emitCommonSymbol(llvm::MCSymbol *, uint64_t, llvm::Align) override {}
  void emitZerofill(llvm::MCSection *, llvm::MCSymbol *, uint64_t, llvm::Align, llvm::SMLoc) override {}

private:
  llvm::MCCodeEmitter &emitter_;
  llvm::SourceMgr &sources_;
};

struct McTarget {
  const llvm::Target &target;
  llvm::Triple triple{ir::kBpfTriple};
  llvm::MCTargetOptions options;
  std::unique_ptr<llvm::MCRegisterInfo> registers;
  std::unique_ptr<llvm::MCAsmInfo> asmInfo;
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget;
  std::unique_ptr<llvm::MCInstrInfo> instructions;

  McTarget(const llvm::Target &target, const std::string &cpu)
      : target(target), registers(target.createMCRegInfo(triple.str())),
        asmInfo(target.createMCAsmInfo(*registers, triple.str(), options)),
        subtarget(target.createMCSubtargetInfo(triple.str(), cpu, "")),
        instructions(target.createMCInstrInfo()) {}

  // Parses the whole source into `streamer`; false on any parse error.
  bool parse(llvm::SourceMgr &sources, llvm::MCContext &context, llvm::MCStreamer &streamer) {
    std::unique_ptr<llvm::MCAsmParser> parser(llvm::createMCAsmParser(sources, context, streamer, *asmInfo));
    std::unique_ptr<llvm::MCTargetAsmParser> targetParser(
        target.createMCAsmParser(*subtarget, *parser, *instructions, options));
    parser->setTargetParser(*targetParser);
    return !parser->Run(/*NoInitialTextSection=*/false);
  }
};

} // namespace

std::optional<std::string> assemble(const std::string &path, const std::string &text,
                                    const ir::Target &target, ir::DiagnosticEngine &diags) {
  // Creating the machine registers the BPF target with LLVM.
  std::unique_ptr<llvm::TargetMachine> machine = ir::createTargetMachine(target, 2);
  McTarget mc(machine->getTarget(), std::string(ir::isaName(target.isa)));

  llvm::SourceMgr sources;
  sources.setDiagHandler(reportAsmDiagnostic, &diags);
  sources.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, path), llvm::SMLoc());
  unsigned errorsBefore = diags.errorCount();

  {
    llvm::MCContext context(mc.triple, mc.asmInfo.get(), mc.registers.get(), mc.subtarget.get(), &sources,
                            &mc.options);
    std::unique_ptr<llvm::MCObjectFileInfo> fileInfo(mc.target.createMCObjectFileInfo(context, false));
    context.setObjectFileInfo(fileInfo.get());
    std::unique_ptr<llvm::MCCodeEmitter> emitter(mc.target.createMCCodeEmitter(*mc.instructions, context));
    FixupChecker checker(context, *emitter, sources);
    if (!mc.parse(sources, context, checker) || diags.errorCount() != errorsBefore)
      return std::nullopt;
  }

  llvm::MCContext context(mc.triple, mc.asmInfo.get(), mc.registers.get(), mc.subtarget.get(), &sources,
                          &mc.options);
  std::unique_ptr<llvm::MCObjectFileInfo> fileInfo(mc.target.createMCObjectFileInfo(context, false));
  context.setObjectFileInfo(fileInfo.get());
  llvm::SmallString<0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  std::unique_ptr<llvm::MCAsmBackend> backend(mc.target.createMCAsmBackend(*mc.subtarget, *mc.registers, mc.options));
  std::unique_ptr<llvm::MCObjectWriter> writer = backend->createObjectWriter(stream);
  std::unique_ptr<llvm::MCCodeEmitter> emitter(mc.target.createMCCodeEmitter(*mc.instructions, context));
  std::unique_ptr<llvm::MCStreamer> streamer(mc.target.createMCObjectStreamer(
      mc.triple, context, std::move(backend), std::move(writer), std::move(emitter), *mc.subtarget));
  if (!mc.parse(sources, context, *streamer) || diags.errorCount() != errorsBefore)
    return std::nullopt;
  return std::string(buffer.str());
}

} // namespace ebpfc::backend

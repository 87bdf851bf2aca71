#include "runtime/vm/Interpreter.h"

#include "ir/HelperTable.h"
#include "runtime/asm/Isa.h"
#include "runtime/vm/InterpreterState.h"
#include "runtime/vm/ProgramCheck.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <typeinfo>

namespace ebpfc::runtime {

namespace interp {

namespace {

static_assert(std::endian::native == std::endian::little,
              "loads and stores copy bytes as they are: the host must be little-endian like bpfel");
// The decoder computes ALU and jump micro-ops from the AluOp / JumpCond order.
static_assert(kArsh64Imm == kAdd64Imm + 4 * unsigned(AluOp::Arsh));
static_assert(kJSle64Imm == kJEq64Imm + 4 * unsigned(JumpCond::Sle));

std::string helperLabel(int64_t id) {
  if (id >= 0 && id <= UINT32_MAX)
    if (const ir::HelperInfo *info = ir::findHelper(uint32_t(id)))
      return fmt::format("{} ({})", id, info->name);
  return std::to_string(id);
}

// Whether r10 + offset .. + size stays inside the current frame.
bool insideFrame(int16_t offset, unsigned size) {
  return offset >= -int(kStackFrameSize) && offset + int(size) <= 0;
}

unsigned sizeIndex(unsigned size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

// A jump or call target as the byte offset of its micro-op (programs have at
// most kMaxProgramSlots slots, so this fits).
int32_t slotOffset(int64_t slot) { return int32_t(slot * int64_t(sizeof(MicroOp))); }

MicroOp makeOp(uint16_t code, const Insn &insn) {
  return MicroOp{code, insn.dst, insn.src, insn.offset, uint64_t(int64_t(insn.imm))};
}

// Translates the instruction at `index` (an instruction start).
bool decodeOne(const ProgramImage &image, const DecodedInsn &d, size_t index, const ExecutionEnvironment &environment,
               MicroOp &out, std::string &error) {
  const Insn &insn = image.insns[index];
  const int64_t next = int64_t(index) + 1;
  auto fail = [&](const std::string &message) {
    error = describeInsnError(image.insns, index, message);
    return false;
  };

  switch (d.kind) {
  case InsnKind::Invalid:
    return fail(d.invalidReason);

  case InsnKind::Alu: {
    const unsigned variant = (d.is64 ? 0 : 2) + (d.srcIsReg ? 1 : 0);
    out = makeOp(uint16_t(kAdd64Imm + 4 * unsigned(d.alu) + variant), insn);
    if (d.srcIsReg)
      return true;
    // Constant operands: settle shift masks and the ISA's special divisors now.
    const int32_t imm = insn.imm;
    const uint16_t movImm = d.is64 ? kMov64Imm : kMov32Imm;
    const uint16_t keepDst = d.is64 ? kMov64Reg : kMov32Reg; // dst = dst (32-bit: zero-extends)
    switch (d.alu) {
    case AluOp::Lsh:
    case AluOp::Rsh:
    case AluOp::Arsh:
      out.imm = uint64_t(imm) & (d.is64 ? 63 : 31);
      break;
    case AluOp::Div:
      if (imm == 0)
        out = MicroOp{movImm, insn.dst, 0, 0, 0};
      break;
    case AluOp::SDiv:
      if (imm == 0)
        out = MicroOp{movImm, insn.dst, 0, 0, 0};
      else if (imm == -1)
        out = MicroOp{uint16_t(d.is64 ? kNeg64 : kNeg32), insn.dst, 0, 0, 0};
      break;
    case AluOp::Mod:
      if (imm == 0)
        out = MicroOp{keepDst, insn.dst, insn.dst, 0, 0};
      break;
    case AluOp::SMod:
      if (imm == 0)
        out = MicroOp{keepDst, insn.dst, insn.dst, 0, 0};
      else if (imm == -1)
        out = MicroOp{movImm, insn.dst, 0, 0, 0};
      break;
    default:
      break;
    }
    return true;
  }
  case InsnKind::Neg:
    out = makeOp(d.is64 ? kNeg64 : kNeg32, insn);
    return true;
  case InsnKind::MovSx: {
    uint16_t code;
    if (d.is64)
      code = d.bits == 8 ? kMovSx64From8 : d.bits == 16 ? kMovSx64From16 : kMovSx64From32;
    else
      code = d.bits == 8 ? kMovSx32From8 : kMovSx32From16;
    out = makeOp(code, insn);
    return true;
  }
  case InsnKind::Endian:
    if (d.order == ByteOrder::ToLittle) // the host order: only truncation
      out = MicroOp{uint16_t(d.bits == 16 ? kZeroExtend16 : d.bits == 32 ? kZeroExtend32 : kMov64Reg), insn.dst,
                    insn.dst, 0, 0};
    else
      out = MicroOp{uint16_t(d.bits == 16 ? kSwap16 : d.bits == 32 ? kSwap32 : kSwap64), insn.dst, 0, 0, 0};
    return true;

  case InsnKind::LoadImm64: {
    const Insn &tail = image.insns[index + 1];
    out = MicroOp{kLoadImm64, insn.dst, 0, 0, loadImm64Value(insn, tail)};
    if (insn.src == 0)
      return true;
    if (insn.src == op::kPseudoFunc) {
      out.imm = functionRef(uint32_t(next + insn.imm));
      return true;
    }
    std::string why;
    const std::optional<uint64_t> value = environment.resolvePseudoLoad({insn.src, insn.imm, tail.imm}, why);
    if (!value)
      return fail(why.empty() ? "unresolved pseudo load" : why);
    out.imm = *value;
    return true;
  }
  case InsnKind::LoadPacket:
    // dst: access size; src: index register (LD_IND); offset: 1 for LD_IND.
    out = MicroOp{kLoadPacket, d.size, insn.src, d.indirect ? 1 : 0, uint64_t(int64_t(insn.imm))};
    return true;
  case InsnKind::Load: {
    const bool frame = insn.src == kFramePointer && insideFrame(insn.offset, d.size);
    uint16_t code;
    if (d.signExtend)
      code = uint16_t((frame ? kFrameLoadSx8 : kLoadSx8) + sizeIndex(d.size));
    else
      code = uint16_t((frame ? kFrameLoad8 : kLoad8) + sizeIndex(d.size));
    out = makeOp(code, insn);
    return true;
  }
  case InsnKind::StoreImm:
  case InsnKind::StoreReg: {
    const bool frame = insn.dst == kFramePointer && insideFrame(insn.offset, d.size);
    const bool fromReg = d.kind == InsnKind::StoreReg;
    const uint16_t first = frame ? (fromReg ? kFrameStore8Reg : kFrameStore8Imm) : (fromReg ? kStore8Reg : kStore8Imm);
    out = makeOp(uint16_t(first + sizeIndex(d.size)), insn);
    return true;
  }
  case InsnKind::Atomic:
    out = makeOp(d.is64 ? kAtomic64 : kAtomic32, insn);
    return true;

  case InsnKind::Jump:
    out = MicroOp{kJa, 0, 0, slotOffset(next + jumpOffsetOf(insn, d)), 0};
    return true;
  case InsnKind::CondJump: {
    const unsigned variant = (d.is64 ? 0 : 2) + (d.srcIsReg ? 1 : 0);
    out = makeOp(uint16_t(kJEq64Imm + 4 * unsigned(d.cond) + variant), insn);
    out.offset = slotOffset(next + insn.offset);
    return true;
  }
  case InsnKind::Call:
    switch (d.call) {
    case CallKind::Local:
      out = MicroOp{kCallLocal, 0, 0, slotOffset(next + insn.imm), 0};
      return true;
    case CallKind::Kfunc:
      return fail("kfunc calls are not supported by this runtime");
    case CallKind::Helper:
      if (insn.imm == op::kTailCallHelper) {
        out = MicroOp{kTailCall, 0, 0, 0, 0};
        return true;
      }
      if (insn.imm < 0)
        return fail("unknown helper " + helperLabel(insn.imm));
      if (const Helper *helper = environment.findHelper(uint32_t(insn.imm))) {
        out = MicroOp{kCallHelper, 0, 0, 0, reinterpret_cast<uint64_t>(helper)};
        return true;
      }
      return fail("unknown helper " + helperLabel(insn.imm) + ": the runtime does not provide it");
    }
    break;
  case InsnKind::CallReg:
    out = makeOp(kCallReg, insn);
    return true;
  case InsnKind::Exit:
    out = makeOp(kExit, insn);
    return true;
  }
  return fail("cannot translate");
}

template <class T>
void atomicUpdate(uint8_t *address, int32_t operation, uint64_t &src, uint64_t &r0) {
  const T operand = T(src);
  T old;
  if (reinterpret_cast<uintptr_t>(address) % sizeof(T) == 0) {
    // Aligned: a real atomic, so maps shared with other threads stay consistent.
    T *target = reinterpret_cast<T *>(address);
    switch (operation & ~op::kAtomicFetch) {
    case op::kAdd: old = __atomic_fetch_add(target, operand, __ATOMIC_SEQ_CST); break;
    case op::kOr: old = __atomic_fetch_or(target, operand, __ATOMIC_SEQ_CST); break;
    case op::kAnd: old = __atomic_fetch_and(target, operand, __ATOMIC_SEQ_CST); break;
    case op::kXor: old = __atomic_fetch_xor(target, operand, __ATOMIC_SEQ_CST); break;
    case op::kAtomicXchg & ~op::kAtomicFetch: old = __atomic_exchange_n(target, operand, __ATOMIC_SEQ_CST); break;
    default: { // cmpxchg
      T expected = T(r0);
      __atomic_compare_exchange_n(target, &expected, operand, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
      old = expected;
    }
    }
  } else {
    // Misaligned (the kernel refuses these): a plain read-modify-write.
    std::memcpy(&old, address, sizeof(T));
    T updated;
    switch (operation & ~op::kAtomicFetch) {
    case op::kAdd: updated = T(old + operand); break;
    case op::kOr: updated = T(old | operand); break;
    case op::kAnd: updated = T(old & operand); break;
    case op::kXor: updated = T(old ^ operand); break;
    case op::kAtomicXchg & ~op::kAtomicFetch: updated = operand; break;
    default: updated = old == T(r0) ? operand : old; break;
    }
    std::memcpy(address, &updated, sizeof(T));
  }
  if (operation == op::kAtomicCmpXchg)
    r0 = old;
  else if (operation & op::kAtomicFetch)
    src = old;
}

enum class PacketLoad { Loaded, OutOfBounds, NoPacket };

// Legacy LD_ABS/LD_IND: r0 = the big-endian value at packet offset imm (+ src).
PacketLoad legacyPacketLoad(const RunState &state, const MicroOp &op, uint64_t *registers) {
  const Region *packet = state.findRegionOfKind(RegionKind::Packet);
  if (!packet || packet->accessor)
    return PacketLoad::NoPacket;
  const unsigned size = op.dst;
  int64_t offset = int32_t(op.imm);
  if (op.offset)
    offset += int32_t(uint32_t(registers[op.src]));
  if (offset < 0 || uint64_t(offset) + size > packet->size)
    return PacketLoad::OutOfBounds;
  const uint8_t *bytes = reinterpret_cast<const uint8_t *>(packet->begin) + offset;
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i)
    value = value << 8 | bytes[i];
  registers[0] = value;
  return PacketLoad::Loaded;
}

class InterpreterHelperCall final : public HelperCall {
public:
  InterpreterHelperCall(RunState &state, const InterpretedProgram &program, const MicroOp *op, uint64_t *registers,
                        const Helper &helper)
      : HelperCall({registers[1], registers[2], registers[3], registers[4], registers[5]}), state_(state),
        program_(program), op_(op), registers_(registers), helper_(helper) {}

  std::optional<std::span<const uint8_t>> readableMemory(uint64_t address, uint64_t size) override {
    if (size == 0)
      return std::span<const uint8_t>();
    if (uint8_t *p = state_.pointerSlow(address, size, false))
      return std::span<const uint8_t>(p, size);
    memoryFault();
    return std::nullopt;
  }
  std::optional<std::span<const uint8_t>> probeReadableMemory(uint64_t address, uint64_t size) override {
    if (size == 0)
      return std::span<const uint8_t>();
    if (uint8_t *p = state_.pointerSlow(address, size, false))
      return std::span<const uint8_t>(p, size);
    return std::nullopt;
  }
  std::optional<std::span<uint8_t>> writableMemory(uint64_t address, uint64_t size) override {
    if (size == 0)
      return std::span<uint8_t>();
    if (uint8_t *p = state_.pointerSlow(address, size, true))
      return std::span<uint8_t>(p, size);
    memoryFault();
    return std::nullopt;
  }
  void fault(std::string message) override {
    state_.raise(FaultKind::Helper, "helper " + helperName() + ": " + message, program_, op_, registers_);
  }
  void stop(uint64_t returnValue) override {
    if (state_.finished())
      return;
    state_.outcome = RunStatus::Stopped;
    state_.stopValue = returnValue;
  }
  std::optional<uint64_t> callFunction(uint64_t function, std::span<const uint64_t> args) override;
  void addRegion(const Region &region) override { state_.addRegion(region); }
  bool replaceRegion(const Region &region) override { return state_.replaceRegion(region); }
  bool removeRegion(uint64_t begin) override { return state_.removeRegion(begin); }
  const LoadedProgram &program() const override { return program_; }
  void *hostState() const override { return state_.input.hostState; }

private:
  std::string helperName() const { return helper_.name.empty() ? helperLabel(helper_.id) : helper_.name; }
  void memoryFault() {
    MemoryFailure failure = state_.failure();
    state_.raise(failure.kind, "helper " + helperName() + ": " + failure.message, program_, op_, registers_,
                 failure.access);
  }

  RunState &state_;
  const InterpretedProgram &program_;
  const MicroOp *op_;
  uint64_t *registers_;
  const Helper &helper_;
};

std::optional<uint64_t> InterpreterHelperCall::callFunction(uint64_t function, std::span<const uint64_t> args) {
  if (state_.finished())
    return std::nullopt;
  if (!isFunctionRef(function) || !program_.isFunctionEntry(uint32_t(function))) {
    state_.raise(FaultKind::BadCallTarget,
                 fmt::format("helper {}: callback {:#x} is not a function of the program", helperName(), function),
                 program_, op_, registers_);
    return std::nullopt;
  }
  if (args.size() > 5) {
    fault("a callback takes at most 5 arguments");
    return std::nullopt;
  }
  if (state_.depth >= kMaxCallFrames) {
    state_.raise(FaultKind::CallDepth,
                 fmt::format("helper {}: calling the callback would exceed {} nested frames", helperName(),
                             kMaxCallFrames),
                 program_, op_, registers_);
    return std::nullopt;
  }
  Frame &frame = state_.frames[state_.depth];
  frame = Frame{nullptr, &program_, {}, uint32_t(op_ - program_.ops.data())};
  state_.depth += 1;
  state_.enterFrame();
  uint64_t registers[kNumRegisters] = {};
  std::copy(args.begin(), args.end(), registers + 1);
  registers[kFramePointer] = state_.framePointer(state_.depth);
  execute(state_, &program_, program_.ops.data() + uint32_t(function), registers, state_.depth);
  if (!state_.finished()) {
    state_.depth -= 1;
    state_.leaveFrame();
    return registers[0];
  }
  return std::nullopt;
}

} // namespace

void execute(RunState &state, const InterpretedProgram *program, const MicroOp *start, uint64_t *regs,
             unsigned stopDepth) {
  static const void *const kDispatch[] = {
#define MICRO_OP(name) &&L_##name,
#include "runtime/vm/MicroOps.def"
#undef MICRO_OP
  };
  static_assert(sizeof kDispatch / sizeof kDispatch[0] == kMicroOpCount);

  const MicroOp *base = program->ops.data();
  const MicroOp *op = start;
  // Instructions are counted per straight-line run: at each taken jump,
  // call or exit, the slots since blockStart are charged to the budget.
  const MicroOp *blockStart = start;
  int64_t budget = state.budget;
  const Helper *helper = nullptr; // for the shared helper-call tail
  int64_t callTarget = 0;          // for the shared local-call tail (a byte offset)

#define DISPATCH() goto *kDispatch[op->code]
#define NEXT()                                                                                                      \
  do {                                                                                                              \
    ++op;                                                                                                           \
    DISPATCH();                                                                                                     \
  } while (0)
#define D regs[op->dst]
#define S regs[op->src]
#define CHARGE()                                                                                                    \
  (budget -= reinterpret_cast<const char *>(op) - reinterpret_cast<const char *>(blockStart) +                      \
             int64_t(sizeof(MicroOp)))
#define AT_OFFSET(byteOffset) reinterpret_cast<const MicroOp *>(reinterpret_cast<const char *>(base) + (byteOffset))
#define JUMP(target)                                                                                                \
  do {                                                                                                              \
    if (CHARGE() < 0)                                                                                               \
      goto budgetExhausted;                                                                                         \
    op = AT_OFFSET(target);                                                                                         \
    blockStart = op;                                                                                                \
    DISPATCH();                                                                                                     \
  } while (0)

  DISPATCH();

  // ---- ALU: a = dst, b = operand; 32-bit forms zero-extend the result ----
#define ALU64(name, expr)                                                                                           \
  L_##name##64Imm : {                                                                                               \
    [[maybe_unused]] const uint64_t a = D, b = op->imm;                                                             \
    D = (expr);                                                                                                     \
    NEXT();                                                                                                         \
  }                                                                                                                 \
  L_##name##64Reg : {                                                                                               \
    [[maybe_unused]] const uint64_t a = D, b = S;                                                                   \
    D = (expr);                                                                                                     \
    NEXT();                                                                                                         \
  }
#define ALU32(name, expr)                                                                                           \
  L_##name##32Imm : {                                                                                               \
    [[maybe_unused]] const uint32_t a = uint32_t(D), b = uint32_t(op->imm);                                         \
    D = uint32_t(expr);                                                                                             \
    NEXT();                                                                                                         \
  }                                                                                                                 \
  L_##name##32Reg : {                                                                                               \
    [[maybe_unused]] const uint32_t a = uint32_t(D), b = uint32_t(S);                                               \
    D = uint32_t(expr);                                                                                             \
    NEXT();                                                                                                         \
  }
#define ALU(name, expr)                                                                                             \
  ALU64(name, expr)                                                                                                 \
  ALU32(name, expr)

  ALU(Add, a + b)
  ALU(Sub, a - b)
  ALU(Mul, a * b)
  ALU(Or, a | b)
  ALU(And, a & b)
  ALU(Xor, a ^ b)
  ALU(Mov, b)
  // Division by zero gives 0; modulo by zero leaves dst (RFC 9669).
  ALU(Div, b ? a / b : 0)
  ALU(Mod, b ? a % b : a)
  ALU64(Lsh, a << (b & 63))
  ALU32(Lsh, a << (b & 31))
  ALU64(Rsh, a >> (b & 63))
  ALU32(Rsh, a >> (b & 31))
  ALU64(Arsh, uint64_t(int64_t(a) >> (b & 63)))
  ALU32(Arsh, uint32_t(int32_t(a) >> (b & 31)))
  // Signed forms: INT_MIN / -1 wraps to INT_MIN and INT_MIN % -1 is 0, without the host's trap.
  ALU64(SDiv, b == 0 ? 0 : int64_t(b) == -1 ? 0 - a : uint64_t(int64_t(a) / int64_t(b)))
  ALU32(SDiv, b == 0 ? 0 : int32_t(b) == -1 ? 0 - a : uint32_t(int32_t(a) / int32_t(b)))
  ALU64(SMod, b == 0 ? a : int64_t(b) == -1 ? 0 : uint64_t(int64_t(a) % int64_t(b)))
  ALU32(SMod, b == 0 ? a : int32_t(b) == -1 ? 0 : uint32_t(int32_t(a) % int32_t(b)))

L_Neg64:
  D = 0 - D;
  NEXT();
L_Neg32:
  D = uint32_t(0 - uint32_t(D));
  NEXT();
L_MovSx64From8:
  D = uint64_t(int64_t(int8_t(S)));
  NEXT();
L_MovSx64From16:
  D = uint64_t(int64_t(int16_t(S)));
  NEXT();
L_MovSx64From32:
  D = uint64_t(int64_t(int32_t(S)));
  NEXT();
L_MovSx32From8:
  D = uint32_t(int32_t(int8_t(S)));
  NEXT();
L_MovSx32From16:
  D = uint32_t(int32_t(int16_t(S)));
  NEXT();
L_Swap16:
  D = __builtin_bswap16(uint16_t(D));
  NEXT();
L_Swap32:
  D = __builtin_bswap32(uint32_t(D));
  NEXT();
L_Swap64:
  D = __builtin_bswap64(D);
  NEXT();
L_ZeroExtend16:
  D = uint16_t(D);
  NEXT();
L_ZeroExtend32:
  D = uint32_t(D);
  NEXT();

L_LoadImm64:
  D = op->imm;
  op += 2;
  DISPATCH();

L_LoadPacket : {
  const PacketLoad loaded = legacyPacketLoad(state, *op, regs);
  if (loaded == PacketLoad::Loaded)
    NEXT();
  CHARGE();
  state.budget = budget;
  if (loaded == PacketLoad::OutOfBounds) {
    // As in the kernel: the program ends, returning 0.
    state.outcome = RunStatus::Stopped;
    state.stopValue = 0;
  } else {
    state.raise(FaultKind::MemoryAccess, "a legacy packet load needs a packet region in the run's input", *program,
                op, regs);
  }
  return;
}

  // ---- memory: checked through the region cache, slow path on a miss ----
#define LOAD(name, T, extend, extendSlow)                                                                           \
  L_##name : {                                                                                                      \
    const uint64_t address = S + int64_t(op->offset);                                                               \
    if (const uint8_t *p = state.readable<sizeof(T)>(address)) {                                                    \
      T value;                                                                                                      \
      std::memcpy(&value, p, sizeof(T));                                                                            \
      D = extend(value);                                                                                            \
      NEXT();                                                                                                       \
    }                                                                                                               \
    uint64_t raw;                                                                                                   \
    if (!state.loadSlow(address, sizeof(T), raw))                                                                   \
      goto memoryFault;                                                                                             \
    D = extendSlow(raw, T);                                                                                         \
    NEXT();                                                                                                         \
  }
#define ZERO_EXTEND(v) uint64_t(v)
#define ZERO_EXTEND_SLOW(raw, T) (raw) // context accessors may widen a field (32-bit data -> pointer)
#define SIGN_EXTEND(v) uint64_t(int64_t(v))
#define SIGN_EXTEND_SLOW(raw, T) uint64_t(int64_t(T(raw)))
  LOAD(Load8, uint8_t, ZERO_EXTEND, ZERO_EXTEND_SLOW)
  LOAD(Load16, uint16_t, ZERO_EXTEND, ZERO_EXTEND_SLOW)
  LOAD(Load32, uint32_t, ZERO_EXTEND, ZERO_EXTEND_SLOW)
  LOAD(Load64, uint64_t, ZERO_EXTEND, ZERO_EXTEND_SLOW)
  LOAD(LoadSx8, int8_t, SIGN_EXTEND, SIGN_EXTEND_SLOW)
  LOAD(LoadSx16, int16_t, SIGN_EXTEND, SIGN_EXTEND_SLOW)
  LOAD(LoadSx32, int32_t, SIGN_EXTEND, SIGN_EXTEND_SLOW)

#define STORE(name, T, source)                                                                                      \
  L_##name : {                                                                                                      \
    const uint64_t address = D + int64_t(op->offset);                                                               \
    const T value = T(source);                                                                                      \
    if (uint8_t *p = state.writable<sizeof(T)>(address)) {                                                          \
      std::memcpy(p, &value, sizeof(T));                                                                            \
      NEXT();                                                                                                       \
    }                                                                                                               \
    if (!state.storeSlow(address, sizeof(T), uint64_t(value)))                                                      \
      goto memoryFault;                                                                                             \
    NEXT();                                                                                                         \
  }
  STORE(Store8Imm, uint8_t, op->imm)
  STORE(Store16Imm, uint16_t, op->imm)
  STORE(Store32Imm, uint32_t, op->imm)
  STORE(Store64Imm, uint64_t, op->imm)
  STORE(Store8Reg, uint8_t, S)
  STORE(Store16Reg, uint16_t, S)
  STORE(Store32Reg, uint32_t, S)
  STORE(Store64Reg, uint64_t, S)

  // r10 + constant inside the frame: in bounds by construction.
#define FRAME_LOAD(name, T, extend)                                                                                 \
  L_##name : {                                                                                                      \
    T value;                                                                                                        \
    std::memcpy(&value, reinterpret_cast<const void *>(regs[kFramePointer] + int64_t(op->offset)), sizeof(T));      \
    D = extend(value);                                                                                              \
    NEXT();                                                                                                         \
  }
  FRAME_LOAD(FrameLoad8, uint8_t, ZERO_EXTEND)
  FRAME_LOAD(FrameLoad16, uint16_t, ZERO_EXTEND)
  FRAME_LOAD(FrameLoad32, uint32_t, ZERO_EXTEND)
  FRAME_LOAD(FrameLoad64, uint64_t, ZERO_EXTEND)
  FRAME_LOAD(FrameLoadSx8, int8_t, SIGN_EXTEND)
  FRAME_LOAD(FrameLoadSx16, int16_t, SIGN_EXTEND)
  FRAME_LOAD(FrameLoadSx32, int32_t, SIGN_EXTEND)

#define FRAME_STORE(name, T, source)                                                                                \
  L_##name : {                                                                                                      \
    const T value = T(source);                                                                                      \
    std::memcpy(reinterpret_cast<void *>(regs[kFramePointer] + int64_t(op->offset)), &value, sizeof(T));           \
    NEXT();                                                                                                         \
  }
  FRAME_STORE(FrameStore8Imm, uint8_t, op->imm)
  FRAME_STORE(FrameStore16Imm, uint16_t, op->imm)
  FRAME_STORE(FrameStore32Imm, uint32_t, op->imm)
  FRAME_STORE(FrameStore64Imm, uint64_t, op->imm)
  FRAME_STORE(FrameStore8Reg, uint8_t, S)
  FRAME_STORE(FrameStore16Reg, uint16_t, S)
  FRAME_STORE(FrameStore32Reg, uint32_t, S)
  FRAME_STORE(FrameStore64Reg, uint64_t, S)

#define ATOMIC(name, T)                                                                                             \
  L_##name : {                                                                                                      \
    const uint64_t address = D + int64_t(op->offset);                                                               \
    uint8_t *p = state.writable<sizeof(T)>(address);                                                                \
    if (!p && !(p = state.pointerSlow(address, sizeof(T), true)))                                                   \
      goto memoryFault;                                                                                             \
    atomicUpdate<T>(p, int32_t(op->imm), S, regs[0]);                                                               \
    NEXT();                                                                                                         \
  }
  ATOMIC(Atomic32, uint32_t)
  ATOMIC(Atomic64, uint64_t)

  // ---- jumps ----
L_Ja:
  JUMP(op->offset);

#define JCC(name, expr)                                                                                             \
  L_J##name##64Imm : {                                                                                              \
    using Signed [[maybe_unused]] = int64_t;                                                                                     \
    const uint64_t a = D, b = op->imm;                                                                              \
    if (expr)                                                                                                       \
      JUMP(op->offset);                                                                                             \
    NEXT();                                                                                                         \
  }                                                                                                                 \
  L_J##name##64Reg : {                                                                                              \
    using Signed [[maybe_unused]] = int64_t;                                                                                     \
    const uint64_t a = D, b = S;                                                                                    \
    if (expr)                                                                                                       \
      JUMP(op->offset);                                                                                             \
    NEXT();                                                                                                         \
  }                                                                                                                 \
  L_J##name##32Imm : {                                                                                              \
    using Signed [[maybe_unused]] = int32_t;                                                                                     \
    const uint32_t a = uint32_t(D), b = uint32_t(op->imm);                                                          \
    if (expr)                                                                                                       \
      JUMP(op->offset);                                                                                             \
    NEXT();                                                                                                         \
  }                                                                                                                 \
  L_J##name##32Reg : {                                                                                              \
    using Signed [[maybe_unused]] = int32_t;                                                                                     \
    const uint32_t a = uint32_t(D), b = uint32_t(S);                                                                \
    if (expr)                                                                                                       \
      JUMP(op->offset);                                                                                             \
    NEXT();                                                                                                         \
  }
  JCC(Eq, a == b)
  JCC(Gt, a > b)
  JCC(Ge, a >= b)
  JCC(Set, (a & b) != 0)
  JCC(Ne, a != b)
  JCC(Sgt, Signed(a) > Signed(b))
  JCC(Sge, Signed(a) >= Signed(b))
  JCC(Lt, a < b)
  JCC(Le, a <= b)
  JCC(Slt, Signed(a) < Signed(b))
  JCC(Sle, Signed(a) <= Signed(b))

  // ---- calls ----
L_CallHelper:
  helper = reinterpret_cast<const Helper *>(op->imm);
callHelper : {
  if (CHARGE() < 0)
    goto budgetExhausted;
  blockStart = op + 1;
  state.budget = budget;
  InterpreterHelperCall call(state, *program, op, regs, *helper);
  regs[0] = helper->function(call);
  budget = state.budget;
  if (state.finished()) [[unlikely]] {
    if (state.outcome == RunStatus::Stopped)
      regs[0] = state.stopValue;
    return;
  }
  NEXT();
}

L_CallLocal:
  callTarget = op->offset;
callLocal:
  if (CHARGE() < 0)
    goto budgetExhausted;
  if (state.depth >= kMaxCallFrames)
    goto callDepthExceeded;
  {
    Frame &frame = state.frames[state.depth];
    frame.returnOp = op + 1;
    frame.program = program;
    std::copy(regs + 6, regs + 10, frame.savedRegisters);
    frame.callSite = uint32_t(op - base);
  }
  state.depth += 1;
  regs[kFramePointer] -= kStackFrameSize;
  state.enterFrame();
  op = AT_OFFSET(callTarget);
  blockStart = op;
  DISPATCH();

L_CallReg : {
  // callx: a function value (ld_imm64 of a function) is a local call; a
  // small integer is a helper id, as the conformance suite's callx expects.
  const uint64_t target = D;
  if (isFunctionRef(target)) {
    if (!program->isFunctionEntry(uint32_t(target)))
      goto badCallTarget;
    callTarget = slotOffset(uint32_t(target));
    goto callLocal;
  }
  if (target <= UINT32_MAX && target != uint64_t(op::kTailCallHelper))
    if ((helper = state.environment->findHelper(uint32_t(target))))
      goto callHelper;
  goto badCallTarget;
}

L_TailCall : {
  if (CHARGE() < 0)
    goto budgetExhausted;
  blockStart = op + 1;
  const ExecutionEnvironment::TailCallSlot slot = state.environment->resolveTailCall(regs[2], regs[3]);
  if (!slot.indexInRange || state.tailCalls >= kMaxTailCalls)
    NEXT();
  state.tailCalls += 1;
  if (!slot.program)
    NEXT();
  const auto *target = dynamic_cast<const InterpretedProgram *>(slot.program);
  if (!target)
    goto engineMismatch;
  program = target;
  base = program->ops.data();
  state.environment = &program->environment();
  op = base;
  blockStart = op;
  DISPATCH();
}

L_Exit:
  CHARGE();
  if (state.depth == stopDepth) {
    state.budget = budget;
    return;
  }
  state.depth -= 1;
  {
    const Frame &frame = state.frames[state.depth];
    std::copy(frame.savedRegisters, frame.savedRegisters + 4, regs + 6);
    regs[kFramePointer] += kStackFrameSize;
    state.leaveFrame();
    program = frame.program;
    base = program->ops.data();
    state.environment = &program->environment();
    op = frame.returnOp;
  }
  blockStart = op;
  DISPATCH();

  // ---- faults: every path ends the run ----
memoryFault:
  CHARGE();
  state.budget = budget;
  state.raiseMemoryFault(*program, op, regs);
  return;
budgetExhausted:
  state.budget = budget;
  state.raise(FaultKind::InstructionBudget,
              fmt::format("the instruction budget of {} ran out (an endless loop?)", state.budgetTotal), *program, op,
              regs);
  return;
callDepthExceeded:
  state.budget = budget;
  state.raise(FaultKind::CallDepth, fmt::format("the call would exceed {} nested frames", kMaxCallFrames), *program,
              op, regs);
  return;
badCallTarget:
  CHARGE();
  state.budget = budget;
  state.raise(FaultKind::BadCallTarget,
              fmt::format("callx target {:#x} is neither a function of the program nor a known helper", D), *program,
              op, regs);
  return;
engineMismatch:
  state.budget = budget;
  state.raise(FaultKind::EngineMismatch, "the tail-call target was loaded by another engine", *program, op, regs);
  return;

#undef DISPATCH
#undef NEXT
#undef D
#undef S
#undef CHARGE
#undef AT_OFFSET
#undef JUMP
#undef ALU64
#undef ALU32
#undef ALU
#undef LOAD
#undef ZERO_EXTEND
#undef ZERO_EXTEND_SLOW
#undef SIGN_EXTEND
#undef SIGN_EXTEND_SLOW
#undef STORE
#undef FRAME_LOAD
#undef FRAME_STORE
#undef ATOMIC
#undef JCC
}

} // namespace interp

std::shared_ptr<const LoadedProgram> Interpreter::load(const ProgramImage &image, ExecutionEnvironment &environment,
                                                       std::string &error) const {
  using namespace interp;
  CheckedProgram checked;
  if (!checkProgram(image, checked, error))
    return nullptr;
  auto program = std::make_shared<InterpretedProgram>(*this, image, environment);
  // Slots inside ld_imm64 are never executed (no jump may land there).
  program->ops.assign(image.insns.size(), MicroOp{kMov64Reg, 0, 0, 0, 0});
  program->functionEntries = std::move(checked.functionEntries);
  for (size_t i = 0; i < image.insns.size(); ++i) {
    if (!checked.isStart[i])
      continue;
    if (!decodeOne(image, checked.decoded[i], i, environment, program->ops[i], error))
      return nullptr;
  }
  return program;
}

RunResult Interpreter::run(const LoadedProgram &loaded, const RunInput &input) const {
  using namespace interp;
  RunResult result;
  // typeid, not dynamic_cast: InterpretedProgram is final, and this is every run's cost.
  const auto *program =
      typeid(loaded) == typeid(InterpretedProgram) ? static_cast<const InterpretedProgram *>(&loaded) : nullptr;
  if (!program) {
    result.status = RunStatus::Faulted;
    Fault fault;
    fault.kind = FaultKind::EngineMismatch;
    fault.program = loaded.image().name;
    fault.message = fmt::format("the program was loaded by the '{}' engine, not the interpreter", loaded.engine().name());
    result.fault = std::make_shared<Fault>(std::move(fault));
    return result;
  }

  // All frames' stacks, on the host stack: 4 KiB. Unspecified at entry
  // (like the kernel's); checked mode zeroes each frame it enters.
  alignas(16) uint8_t stack[kMaxCallFrames * kStackFrameSize];
  RunState state(options(), input, stack);
  state.environment = &program->environment();
  // Set one by one: `= {}` became a block clear that cost more than the rest.
  uint64_t registers[kNumRegisters];
  registers[0] = 0;
  for (unsigned r = 1; r <= 5; ++r) // not std::copy: that became a memmove call
    registers[r] = input.args[r - 1];
  for (unsigned r = 6; r < kFramePointer; ++r)
    registers[r] = 0;
  registers[kFramePointer] = state.stackTop();

  execute(state, program, program->ops.data(), registers, 1);

  result.instructions = state.executedSlots();
  result.status = state.outcome;
  switch (state.outcome) {
  case RunStatus::Exited:
    result.returnValue = registers[0];
    break;
  case RunStatus::Stopped:
    result.returnValue = state.stopValue;
    break;
  case RunStatus::Faulted:
    result.fault = std::move(state.fault);
    break;
  }
  return result;
}

} // namespace ebpfc::runtime

// Reads an eBPF ELF object the way the kernel and libbpf will see it:
// functions (program sections and .text split by symbol), their instructions,
// BPF-to-BPF calls and callback references between them, and each
// function's stack depth as the verifier measures it. Works on any object
// (ebpfc's, clang's), not only on code ebpfc generated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::backend {

// The kernel's stack limit for one program along its call chain
// (MAX_BPF_STACK), and its limit on nested frames (MAX_CALL_FRAMES).
inline constexpr unsigned kKernelStackLimit = 512;
inline constexpr unsigned kMaxCallFrames = 8;

// One decoded instruction; a 64-bit immediate load (lddw) is one entry
// covering two slots.
struct Instruction {
  uint8_t opcode = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
  int16_t offset = 0;
  int32_t imm = 0;
  uint32_t slot = 0;  // index of the first 8-byte slot within the section
  bool wide = false;  // lddw: occupies two slots
};

struct ObjectFunction {
  std::string name;
  std::string section;
  bool global = false;           // STB_GLOBAL: a program entry or a global subprogram
  uint32_t firstSlot = 0;        // within its section
  uint32_t slotCount = 0;        // instructions as the kernel counts them (lddw = 2)
  std::vector<Instruction> instructions;
  // Deepest r10-relative access, in bytes, rounded up to the verifier's
  // 8-byte stack slots: its stack_depth for the function.
  unsigned stackDepth = 0;
  // Functions of this object this one calls (call with src=1) or passes as
  // a callback (lddw of a function address, e.g. for bpf_loop), each once,
  // in order of first use; indices into ObjectAnalysis::functions.
  std::vector<size_t> callees;
  // BPF-to-BPF calls to symbols the object does not define (kfuncs, or
  // functions another object must provide).
  std::vector<std::string> externalCalls;
  bool callsTailCall = false; // calls bpf_tail_call (helper 12)
};

// The deepest stack along the call chains from one function, counted like
// the kernel's check_max_stack_depth: every frame rounded up to 32 bytes
// (a frame of 0 bytes still takes 32), summed along the chain. That is the
// rule of the interpreter and of kernels before 6.10; later kernels round
// JIT-compiled frames to 16 bytes only, so they accept a little more.
// ebpfc keeps the stricter count so an object loads on every kernel.
struct StackChain {
  unsigned depth = 0;          // combined, rounded
  std::vector<size_t> frames;  // the chain, entry first
};

// A global-data section (.data, .bss, .rodata and their .name variants),
// which libbpf turns into a one-entry array map.
struct DataSection {
  std::string name;
  uint64_t size = 0;
};

class ObjectAnalysis {
public:
  std::vector<ObjectFunction> functions;
  std::vector<DataSection> dataSections; // in section order

  // Index of the function with this symbol name; nullopt when absent.
  std::optional<size_t> find(std::string_view name) const;
  // The entry and every function reachable from it, entry first, each once:
  // what libbpf loads as one program.
  std::vector<size_t> reachableFrom(size_t entry) const;
  // Instructions of the entry and everything it reaches.
  uint64_t programSlots(size_t entry) const;
  StackChain deepestStackChain(size_t entry) const;
  // The longest call chain from the entry, in frames (the entry is frame 1).
  std::vector<size_t> deepestCallChain(size_t entry) const;
};

// A frame's size as the verifier counts it in the combined stack.
unsigned roundedFrameSize(unsigned stackDepth);

// Analyses the ELF bytes; nullopt with `error` set when they are not a
// 64-bit little-endian eBPF relocatable object.
std::optional<ObjectAnalysis> analyzeObject(std::string_view elf, std::string &error);

} // namespace ebpfc::backend

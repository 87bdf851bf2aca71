// The kernel test for loops and globals: unroll_globals_plain.c
// (plain constant-bound `for` loops, a .bss, a .data and a .rodata global)
// compiled with --target-kernel=4.19 --globals=maps has no loop left, loads
// in the running kernel, and behaves packet by packet under
// BPF_PROG_TEST_RUN exactly like unroll_globals_by_hand.c (loops unrolled and
// maps written by hand) and like the same source compiled for 6.1 with
// libbpf's global data: same return values, output packets and global
// values after every packet. The --map-format=legacy build of it, which
// libbpf 1.x no longer opens, is read with the runtime's loader and loaded
// with raw bpf() calls, and behaves the same too.
#include "runtime/Insn.h"
#include "runtime/loader/Loader.h"
#include "tests/support/Subprocess.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

using namespace ebpfc;
using namespace ebpfc::testing;

namespace {

const std::string kInputs = PASS_INPUTS;

std::string compile(const std::string &dir, const std::string &input, std::vector<std::string> flags,
                    const std::string &name) {
  std::vector<std::string> args{EBPFC_PATH, "-O2", "-g"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::string output = dir + "/" + name + ".o";
  args.insert(args.end(), {kInputs + "/" + input, "-o", output});
  CommandResult r = runCommand(args);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return output;
}

// Why this process may not load programs, or "" when it may.
std::string kernelRefusal() {
  static const std::string reason = [] {
    const bpf_insn program[] = {{BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", program, 2, nullptr);
    if (fd < 0)
      return std::string("bpf(BPF_PROG_LOAD) is refused: ") + std::strerror(errno);
    ::close(fd);
    return std::string();
  }();
  return reason;
}

// What the tests compare after every packet.
struct Observation {
  int error = 0;
  uint32_t verdict = 0;
  std::vector<uint8_t> packet;
  uint64_t packets = 0; // the .bss global
  uint32_t salt = 0;    // the .data global
  friend bool operator==(const Observation &, const Observation &) = default;
};

// A loaded XDP program and the maps holding its two globals.
class LoadedProgram {
public:
  virtual ~LoadedProgram() = default;
  virtual int programFd() const = 0;
  virtual int mapFd(const std::string &name) const = 0;

  Observation run(const std::vector<uint8_t> &packet, const std::string &packetsMap,
                  const std::string &saltMap) const {
    Observation o;
    o.packet.resize(packet.size() + 64);
    LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = packet.data(), .data_out = o.packet.data(),
                .data_size_in = static_cast<uint32_t>(packet.size()),
                .data_size_out = static_cast<uint32_t>(o.packet.size()), .repeat = 1);
    o.error = bpf_prog_test_run_opts(programFd(), &options);
    o.verdict = options.retval;
    o.packet.resize(options.data_size_out);
    o.packets = read<uint64_t>(packetsMap);
    o.salt = read<uint32_t>(saltMap);
    return o;
  }

private:
  template <typename T> T read(const std::string &map) const {
    std::vector<uint8_t> value(4096);
    uint32_t key = 0;
    T out{};
    if (bpf_map_lookup_elem(mapFd(map), &key, value.data()) == 0)
      std::memcpy(&out, value.data(), sizeof(T));
    return out;
  }
};

// Loaded through libbpf (BTF-defined maps, global data sections).
class LibbpfProgram : public LoadedProgram {
public:
  explicit LibbpfProgram(const std::string &path) {
    object_ = bpf_object__open_file(path.c_str(), nullptr);
    if (!object_ || bpf_object__load(object_) != 0)
      return;
    if (bpf_program *program = bpf_object__find_program_by_name(object_, "fingerprint"))
      fd_ = bpf_program__fd(program);
  }
  ~LibbpfProgram() override { bpf_object__close(object_); }
  bool loaded() const { return fd_ >= 0; }
  int programFd() const override { return fd_; }
  int mapFd(const std::string &name) const override {
    bpf_map *map = bpf_object__find_map_by_name(object_, name.c_str());
    return map ? bpf_map__fd(map) : -1;
  }

private:
  bpf_object *object_ = nullptr;
  int fd_ = -1;
};

// Loaded from the runtime loader's image with raw bpf() calls: maps created
// from their specs, map references patched to the new descriptors.
class RawProgram : public LoadedProgram {
public:
  explicit RawProgram(const runtime::ObjectImage &image) {
    for (const runtime::MapSpec &spec : image.maps) {
      LIBBPF_OPTS(bpf_map_create_opts, options, .map_flags = spec.flags);
      int fd = bpf_map_create(static_cast<bpf_map_type>(spec.type), spec.name.c_str(), spec.keySize,
                              spec.valueSize, spec.maxEntries, &options);
      if (fd < 0)
        return;
      maps_[spec.name] = fd;
      fds_.push_back(fd);
    }
    const runtime::ProgramImage *program = image.findProgram("fingerprint");
    if (!program)
      return;
    std::vector<runtime::Insn> insns = program->insns;
    for (runtime::Insn &insn : insns)
      if (insn.opcode == 0x18 && (insn.src == runtime::op::kPseudoMapIdx || insn.src == runtime::op::kPseudoMapIdxValue)) {
        insn.src = insn.src == runtime::op::kPseudoMapIdx ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
        insn.imm = fds_.at(insn.imm);
      }
    fd_ = bpf_prog_load(BPF_PROG_TYPE_XDP, "fingerprint", image.license.c_str(),
                        reinterpret_cast<const bpf_insn *>(insns.data()), insns.size(), nullptr);
  }
  ~RawProgram() override {
    if (fd_ >= 0)
      ::close(fd_);
    for (int fd : fds_)
      ::close(fd);
  }
  bool loaded() const { return fd_ >= 0; }
  int programFd() const override { return fd_; }
  int mapFd(const std::string &name) const override {
    auto found = maps_.find(name);
    return found == maps_.end() ? -1 : found->second;
  }

private:
  std::vector<int> fds_;
  std::map<std::string, int> maps_;
  int fd_ = -1;
};

// The first instruction that jumps back into a path leading to it (what the
// verifier of kernels before 5.3 rejects as a "back-edge"), or -1. Backward
// jumps to code that is not on the path, such as a shared exit, are fine.
int firstCycle(const std::vector<runtime::Insn> &insns) {
  enum State : uint8_t { Unseen, OnPath, Done };
  std::vector<State> state(insns.size(), Unseen);
  auto successors = [&](size_t at) {
    const runtime::Insn &insn = insns[at];
    uint8_t cls = runtime::op::classOf(insn.opcode), operation = runtime::op::operationOf(insn.opcode);
    std::vector<size_t> next;
    bool jump = cls == runtime::op::kJmp || cls == runtime::op::kJmp32;
    if (jump && operation == 0x90) // exit
      return next;
    size_t width = insn.opcode == 0x18 ? 2 : 1; // ld_imm64 takes two slots
    if (!(jump && operation == 0x00)) // everything but an unconditional goto falls through
      next.push_back(at + width);
    if (jump && operation != 0x80) // calls return
      next.push_back(at + 1 + insn.offset);
    return next;
  };
  std::vector<std::pair<size_t, size_t>> stack{{0, 0}}; // instruction, next successor to visit
  state[0] = OnPath;
  while (!stack.empty()) {
    auto &[at, index] = stack.back();
    std::vector<size_t> next = successors(at);
    if (index == next.size()) {
      state[at] = Done;
      stack.pop_back();
      continue;
    }
    size_t target = next[index++];
    if (target >= insns.size())
      continue;
    if (state[target] == OnPath)
      return static_cast<int>(at);
    if (state[target] == Unseen) {
      state[target] = OnPath;
      stack.push_back({target, 0});
    }
  }
  return -1;
}

// Packets of every length XDP test runs accept (14, an Ethernet header) to
// 64 bytes, random contents.
std::vector<std::vector<uint8_t>> packets() {
  std::mt19937 random(4);
  std::vector<std::vector<uint8_t>> out;
  for (int round = 0; round < 4; ++round)
    for (size_t length = 14; length <= 64; ++length) {
      std::vector<uint8_t> packet(length);
      for (uint8_t &byte : packet)
        byte = static_cast<uint8_t>(random());
      out.push_back(std::move(packet));
    }
  return out;
}

class UnrollGlobalsKernel : public ::testing::Test {
protected:
  void SetUp() override { dir = makeTempDir("unroll-globals-kernel"); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string dir;
};

} // namespace

TEST_F(UnrollGlobalsKernel, OldKernelBuildHasNoLoopsAndExplicitMaps) {
  std::string object = compile(dir, "unroll_globals_plain.c", {"--target-kernel=4.19", "--globals=maps"}, "maps");
  runtime::Expected<runtime::ObjectImage> image = runtime::loadObjectFile(object);
  ASSERT_TRUE(image) << image.error().message;
  const runtime::ProgramImage *program = image->findProgram("fingerprint");
  ASSERT_TRUE(program);
  EXPECT_EQ(firstCycle(program->insns), -1) << "a loop, which kernels before 5.3 reject";

  // The same check sees the loop a 5.3 build keeps.
  std::string kept = dir + "/kept.o";
  CommandResult r = runCommand({EBPFC_PATH, "-O2", std::string(CORPUS_DIR) + "/loops_bounded_kept.c", "-o", kept});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  runtime::Expected<runtime::ObjectImage> control = runtime::loadObjectFile(kept);
  ASSERT_TRUE(control) << control.error().message;
  EXPECT_NE(firstCycle(control->programs.at(0).insns), -1);
  for (const runtime::SectionInfo &section : image->sections)
    EXPECT_TRUE(section.kind != runtime::SectionKind::Data && section.kind != runtime::SectionKind::Rodata &&
                section.kind != runtime::SectionKind::Bss)
        << "global data section " << section.name;
  std::vector<std::string> names;
  for (const runtime::MapSpec &map : image->maps)
    names.push_back(map.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"globals_bss", "globals_data", "globals_init", "globals_rodata"}));
}

TEST_F(UnrollGlobalsKernel, BehavesLikeTheHandWrittenProgram) {
  std::string plain = compile(dir, "unroll_globals_plain.c", {"--target-kernel=4.19", "--globals=maps"}, "maps");
  std::string byHand = compile(dir, "unroll_globals_by_hand.c", {"--target-kernel=4.19"}, "by_hand");
  std::string sections = compile(dir, "unroll_globals_plain.c", {}, "sections");
  std::string legacy = compile(dir, "unroll_globals_plain.c",
                               {"--target-kernel=4.19", "--globals=maps", "--map-format=legacy"}, "legacy");
  if (std::string reason = kernelRefusal(); !reason.empty())
    GTEST_SKIP() << reason;

  LibbpfProgram maps(plain), hand(byHand), data(sections);
  ASSERT_TRUE(maps.loaded()) << "the --globals=maps build does not load";
  ASSERT_TRUE(hand.loaded());
  ASSERT_TRUE(data.loaded());
  runtime::Expected<runtime::ObjectImage> image = runtime::loadObjectFile(legacy);
  ASSERT_TRUE(image) << image.error().message;
  RawProgram old(*image);
  ASSERT_TRUE(old.loaded()) << "the legacy-format build does not load";

  unsigned passed = 0;
  for (const std::vector<uint8_t> &packet : packets()) {
    Observation expected = hand.run(packet, "packet_count", "salt_value");
    ASSERT_EQ(expected.error, 0);
    EXPECT_EQ(maps.run(packet, "globals_bss", "globals_data"), expected) << "packet of " << packet.size();
    EXPECT_EQ(data.run(packet, ".bss", ".data"), expected) << "packet of " << packet.size();
    EXPECT_EQ(old.run(packet, "globals_bss", "globals_data"), expected) << "packet of " << packet.size();
    passed += expected.verdict == XDP_PASS;
  }
  EXPECT_GT(passed, 0u);
  EXPECT_LT(passed, packets().size()) << "both verdicts occur";
}

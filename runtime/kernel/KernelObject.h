// One eBPF object file loaded into the running kernel through libbpf, and
// what the kernel engine does with it: set map contents, run programs with
// BPF_PROG_TEST_RUN, read maps back, and report the translated (xlated)
// instruction count. Any object libbpf accepts works: ebpfc's, clang's, gcc's.
//
// Lifecycle: open() parses the file; setGlobalData() fills .data/.bss/.rodata
// (only possible before loading: .rodata is frozen by load); load() creates
// the maps and verifies the programs; everything else needs a loaded object.
// Closing (destruction) releases every program and map.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct bpf_object;
struct bpf_program;
struct bpf_map;
struct ring_buffer;

namespace ebpfc::runtime::kernel {

using Bytes = std::vector<uint8_t>;

struct KernelProgram {
  std::string name;    // the entry function's symbol
  std::string section; // ELF section, e.g. "xdp", "tc"
  bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
  bpf_program *handle = nullptr;
};

struct KernelMap {
  std::string name;        // libbpf's name: "flows", or "global_c.bss" for global data
  std::string sectionName; // ".bss", ".data", ".rodata" for global data, else ""
  bpf_map_type type = BPF_MAP_TYPE_UNSPEC;
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t maxEntries = 0;
  bool perCpu = false;
  bpf_map *handle = nullptr;
};

struct MapEntry {
  Bytes key;
  // One value for ordinary maps; one per possible CPU for per-CPU maps.
  std::vector<Bytes> values;
};

struct TestRunInput {
  Bytes packet;
  // Raw struct xdp_md or struct __sk_buff; empty means all fields zero. The
  // packet bounds in an xdp_md (data, data_meta, data_end) are filled in here.
  Bytes context;
  uint32_t repeat = 1;
  // The CPU the calling thread is pinned to for the run, so that per-CPU maps
  // change on a known CPU; nullopt runs wherever the thread happens to be.
  std::optional<unsigned> cpu = 0;
};

struct TestRunResult {
  uint32_t returnValue = 0;
  Bytes packet;     // the packet as the program left it
  Bytes context;    // ctx_out, same layout as TestRunInput::context
  uint32_t durationNs = 0; // average per repetition
};

class KernelObject {
public:
  // Parses the object file; nullptr and `error` when libbpf rejects it.
  static std::unique_ptr<KernelObject> open(const std::string &path, std::string &error);
  ~KernelObject();
  KernelObject(const KernelObject &) = delete;
  KernelObject &operator=(const KernelObject &) = delete;

  const std::string &path() const { return path_; }
  const std::vector<KernelProgram> &programs() const { return programs_; }
  // By function name first, then by section name (the first program of it).
  const KernelProgram *findProgram(std::string_view nameOrSection) const;
  const std::vector<KernelMap> &maps() const { return maps_; }
  // By libbpf name, or for global data by section name (".bss").
  const KernelMap *findMap(std::string_view name) const;
  static unsigned possibleCpus();

  // Before load(): the whole value of a global-data map.
  bool setGlobalData(const KernelMap &map, const Bytes &value, std::string &error);

  // Creates the maps and loads every program. On failure `error` holds
  // libbpf's messages and verifierLog() the kernel's log of the rejected
  // program (or BTF).
  bool load(std::string &error);
  const std::string &verifierLog() const { return verifierLog_; }

  bool run(const KernelProgram &program, const TestRunInput &input, TestRunResult &result,
           std::string &error) const;
  // What bpftool shows as "xlated": the program after the verifier's rewrites
  // (context accesses, helper inlining, subprograms appended).
  bool xlatedInstructionCount(const KernelProgram &program, uint32_t &count, std::string &error) const;

  // `values`: one value, or for per-CPU maps up to possibleCpus() values (CPUs
  // without one get zeros).
  bool updateMap(const KernelMap &map, const Bytes &key, const std::vector<Bytes> &values,
                 uint64_t flags, std::string &error);
  // Every entry, in the kernel's key order.
  bool dumpMap(const KernelMap &map, std::vector<MapEntry> &entries, std::string &error) const;
  // The records a BPF_MAP_TYPE_RINGBUF received since the last call.
  bool consumeRingBuffer(const KernelMap &map, std::vector<Bytes> &records, std::string &error);

private:
  KernelObject(std::string path, bpf_object *object, std::vector<char> logBuffer);
  size_t userValueSize(const KernelMap &map) const;

  std::string path_;
  bpf_object *object_;
  // libbpf writes the kernel's verifier log here when a load fails.
  std::vector<char> logBuffer_;
  std::string verifierLog_;
  bool loaded_ = false;
  std::vector<KernelProgram> programs_;
  std::vector<KernelMap> maps_;

  struct RingBufferReader;
  std::map<std::string, std::unique_ptr<RingBufferReader>> ringBuffers_;
};

} // namespace ebpfc::runtime::kernel

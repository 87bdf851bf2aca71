// The packet-level interface every engine family implements: load an object
// file (maps created, initial contents applied, programs loaded), then run a
// program on a packet with context fields and get back everything the run
// did — verdict, output packet, context fields, redirect target, map
// changes, trace_printk lines, ring buffer and perf event records, or the
// fault that ended it. Maps can be read and written between runs.
//
// Engines: "interp" (the interpreter, runtime/vm) and "kernel" (libbpf and
// BPF_PROG_TEST_RUN in the running kernel, runtime/kernel); the JIT joins
// behind the same interface. What an engine cannot observe is left empty
// and said so by PacketResult (e.g. the kernel reports no redirect target
// and no faults; the verifier refuses faulting programs at load instead).
#pragma once

#include "ir/ProgramType.h"
#include "runtime/context/PacketContext.h"
#include "runtime/helpers/HelperContext.h"
#include "runtime/helpers/HelperRegistry.h"
#include "runtime/loader/Expected.h"
#include "runtime/loader/Loader.h"
#include "runtime/vm/Engine.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebpfc::runtime {

using Bytes = std::vector<uint8_t>;

// One map entry as user space sees it: the key and one value, or for
// per-CPU maps one value per CPU (CPUs left out read as zeros when written).
struct MapEntryData {
  Bytes key;
  std::vector<Bytes> values;
  bool operator==(const MapEntryData &) const = default;
};

// Entries of one map by its name: the map's variable name, or ".data",
// ".bss", ".rodata" (key 00000000, the whole section) for global data.
struct MapContents {
  std::string map;
  std::vector<MapEntryData> entries;
};

struct ProgramSummary {
  std::string name;
  std::string section;
  ir::ProgramType type = ir::ProgramType::Unspec;
};

struct MapSummary {
  std::string name;
  uint32_t type = 0; // ir::MapType
  uint32_t keySize = 0, valueSize = 0, maxEntries = 0;
  bool perCpu = false;
  // Whether readMap lists its entries: maps of plain data whose keys can be
  // iterated (arrays, hashes, LRU, LPM trie and their per-CPU forms), the
  // same for every engine. Program, map and device references, queues,
  // stacks, ring buffers and perf event arrays are not listed.
  bool listable = false;
};

struct PacketInput {
  Bytes packet;
  ContextValues context; // input fields by name (contextFieldsOf)
  unsigned cpu = 0;
  // bpf_ktime_get_ns() during the run; nullopt: the engine's clock.
  std::optional<uint64_t> timeNs;
};

struct RunOptions {
  // Runs the program this many times on the same input (maps keep their
  // changes); the result is the last run's, durationNs the mean.
  uint32_t repeat = 1;
  // Compare the listable maps before and after the run(s).
  bool mapChanges = false;
};

// A map entry that a run added, changed or removed.
struct MapChange {
  std::string map;
  Bytes key;
  std::optional<std::vector<Bytes>> before; // nullopt: added
  std::optional<std::vector<Bytes>> after;  // nullopt: removed
};

struct PerfRecord {
  std::string map;
  uint32_t index = 0; // the slot (CPU) it went to
  Bytes data;
};

struct PacketResult {
  uint32_t returnValue = 0; // as BPF_PROG_TEST_RUN reports it
  uint64_t r0 = 0;          // the whole register (engines that know it)
  Bytes packet;             // data_out: the packet as the program left it
  std::map<std::string, uint64_t> context; // ctx_out fields by name
  std::optional<RedirectRecord> redirect;  // the last bpf_redirect*() decision
  bool observesRedirect = true;            // false: the engine cannot tell (kernel)
  std::vector<MapChange> mapChanges;       // with RunOptions::mapChanges
  std::optional<std::vector<std::string>> trace; // nullopt: the engine cannot capture it
  std::map<std::string, std::vector<Bytes>> ringBuffers; // records per ring buffer map (maps that got any)
  std::vector<PerfRecord> perfEvents;
  bool observesPerfEvents = true;
  std::optional<Fault> fault; // the run ended early (interpreter: checked memory, helper misuse, ...)
  uint64_t instructions = 0;  // executed (0 when unknown)
  uint64_t durationNs = 0;    // mean wall time per run
};

class PacketObject {
public:
  virtual ~PacketObject() = default;
  virtual const std::string &path() const = 0;
  virtual std::vector<ProgramSummary> programs() const = 0;
  virtual std::vector<MapSummary> maps() const = 0;

  // Runs the program named `program` (function or section name; "" for the
  // object's only program). Errors: no such program, input the kernel's
  // test run refuses, a program that failed to load.
  virtual Expected<PacketResult> run(std::string_view program, const PacketInput &input,
                                     const RunOptions &options = {}) = 0;

  // Every entry of a listable map, in the map's key order.
  virtual Expected<std::vector<MapEntryData>> readMap(std::string_view map) const = 0;
  // bpf_map_update_elem() from user space with `flags` (BPF_ANY, ...).
  virtual Expected<void> writeMap(std::string_view map, const MapEntryData &entry, uint64_t flags = 0) = 0;
  virtual Expected<void> deleteMapEntry(std::string_view map, const Bytes &key) = 0;
};

class PacketEngine {
public:
  virtual ~PacketEngine() = default;
  virtual std::string_view name() const = 0;
  // Loads the object file: creates its maps, applies `initial` (global data
  // before the programs load, as libbpf must), loads its programs.
  virtual Expected<std::unique_ptr<PacketObject>> load(const std::string &path,
                                                       const std::vector<MapContents> &initial = {}) const = 0;
};

// Options of the engines that run in this process (interpreter, JIT).
struct VmOptions {
  EngineOptions engine;   // checked mode, instruction budget
  unsigned cpus = 1;      // virtual CPUs (per-CPU maps, bpf_get_smp_processor_id)
  uint64_t seed = 0;      // bpf_get_prandom_u32
  // The clock at the first run and how far it advances per run, unless a
  // PacketInput gives the time.
  uint64_t clockStartNs = 1'000'000'000;
  uint64_t clockStepNs = 1'000;
  FibTable fib;           // bpf_fib_lookup's routes
  // Helpers by id; extend HelperRegistry::standard() with an embedder's own.
  HelperRegistry helpers = HelperRegistry::standard();
  // Refuse programs that call helpers their program type may not call (the
  // verifier's rule, from ir/HelperTable.h).
  bool checkHelperProgramTypes = true;
  LoadOptions load;       // section -> program type overrides for the loader
};

// A VM engine over runtime/vm's engine `vmEngine` ("interp").
std::unique_ptr<PacketEngine> createVmPacketEngine(std::string_view vmEngine, VmOptions options, std::string &error);

// The kernel engine: nullptr with `error` saying plainly why bpf() cannot
// be used here.
std::unique_ptr<PacketEngine> createKernelPacketEngine(std::string &error);

// "interp", "kernel": what --engine accepts.
std::vector<std::string_view> packetEngineNames();

} // namespace ebpfc::runtime

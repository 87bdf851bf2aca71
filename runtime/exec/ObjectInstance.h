// One loaded object running in this process: its maps (created from the
// image's specs with global data, initial prog-array and map-in-map slots,
// then the caller's initial contents; .rodata frozen like libbpf does), its
// programs loaded into a runtime/vm engine, and the ExecutionEnvironment
// they run against — helpers from the registry, map references, tail calls
// between the object's programs, map values as memory. It is the VM
// engines' PacketObject: run() sets up the packet context, runs, and
// collects what the run did.
#pragma once

#include "runtime/exec/PacketEngine.h"

#include <memory>
#include <random>

namespace ebpfc::runtime {

class ObjectInstance final : public PacketObject, public ExecutionEnvironment {
public:
  // `engine` must outlive the instance.
  static Expected<std::unique_ptr<ObjectInstance>> create(ObjectImage image, const Engine &engine,
                                                          const VmOptions &options,
                                                          const std::vector<MapContents> &initial = {});
  ~ObjectInstance() override;

  const ObjectImage &image() const { return image_; }
  const VmOptions &options() const { return options_; }
  // The program by function or section name ("" for the only one), loaded;
  // its load error otherwise.
  Expected<const LoadedProgram *> program(std::string_view nameOrSection) const;
  // The map by name, or nullptr.
  Map *findMap(std::string_view name) const;

  // --- PacketObject ---
  const std::string &path() const override { return image_.path; }
  std::vector<ProgramSummary> programs() const override;
  std::vector<MapSummary> maps() const override;
  Expected<PacketResult> run(std::string_view program, const PacketInput &input,
                             const RunOptions &options = {}) override;
  Expected<std::vector<MapEntryData>> readMap(std::string_view map) const override;
  Expected<void> writeMap(std::string_view map, const MapEntryData &entry, uint64_t flags = 0) override;
  Expected<void> deleteMapEntry(std::string_view map, const Bytes &key) override;

  // --- ExecutionEnvironment ---
  const Helper *findHelper(uint32_t id) const override { return options_.helpers.find(id); }
  std::optional<uint64_t> resolvePseudoLoad(const PseudoLoad &load, std::string &error) const override;
  std::optional<ArrayLayout> arrayLayout(uint64_t mapHandle) const override;
  TailCallSlot resolveTailCall(uint64_t progArray, uint64_t index) const override;
  bool findMemoryRegion(uint64_t address, uint64_t size, Region &region) const override;

private:
  ObjectInstance(ObjectImage image, const Engine &engine, const VmOptions &options);
  Expected<void> createMaps();
  Expected<void> applyContents(const MapContents &contents);
  void loadPrograms();
  Map *ownMap(uint64_t address) const;
  Expected<std::map<std::string, std::vector<MapEntryData>>> snapshot() const;
  LoadError errorFor(std::string_view what) const;

  ObjectImage image_;
  const Engine &engine_;
  VmOptions options_;
  std::vector<std::shared_ptr<Map>> maps_;
  std::vector<Map *> mapPointers_; // what HelperContext::maps spans
  // Per program of the image: the loaded program, or why it did not load.
  std::vector<std::shared_ptr<const LoadedProgram>> loaded_;
  std::vector<std::string> loadErrors_;
  std::mt19937_64 random_;
  uint64_t clockNs_;
};

} // namespace ebpfc::runtime

// Helpers by id: the functions engines call for `call N`. standard() holds
// every helper the runtime implements, keyed by ir/HelperTable.h's ids; an
// embedder copies it and adds (or replaces) helpers of its own by id, e.g.
// for a data plane that defines extra helpers:
//
//   HelperRegistry helpers = HelperRegistry::standard();
//   helpers.add(0x10001, "my_lookup", [](HelperCall &call) -> uint64_t {
//     HelperContext *run = HelperContext::from(call);   // packet, CPU, trace, ...
//     ...
//   });
//
// A program that calls an id the registry lacks fails to load, naming the
// helper and the program.
#pragma once

#include "runtime/vm/ExecutionEnvironment.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ebpfc::runtime {

class HelperRegistry {
public:
  // An empty registry.
  HelperRegistry() = default;
  // Every helper the runtime implements.
  static const HelperRegistry &standard();

  // Adds the helper, replacing one with the same id. An empty name takes the
  // helper table's ("bpf_map_lookup_elem"), or "helper#ID" for ids it lacks.
  // `direct`, when given, is the helper's fast path for trusted callers
  // (Helper::direct).
  // `inlinableArrayLookup` marks bpf_map_lookup_elem's semantics (Helper).
  void add(uint32_t id, std::string name, HelperFunction function, DirectHelperFunction direct = nullptr,
           bool inlinableArrayLookup = false);
  bool remove(uint32_t id);
  // The helper, or nullptr. Helpers stay valid while any copy of the
  // registry holding them lives.
  const Helper *find(uint32_t id) const;
  std::vector<uint32_t> ids() const;
  size_t size() const { return helpers_.size(); }

private:
  std::map<uint32_t, std::shared_ptr<const Helper>> helpers_;
};

} // namespace ebpfc::runtime

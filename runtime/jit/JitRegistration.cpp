// Registers the JIT's engines with createEngine(). Compiled into every target
// that links runtime_jit (an INTERFACE source), so that the registration is
// never dropped by the linker the way an unreferenced object of a static
// library would be.
#include "runtime/jit/JitEngine.h"

namespace {

std::unique_ptr<ebpfc::runtime::Engine> createJit(const ebpfc::runtime::EngineOptions &options) {
  return std::make_unique<ebpfc::runtime::JitEngine>(options);
}

std::unique_ptr<ebpfc::runtime::Engine> createCheckedJit(const ebpfc::runtime::EngineOptions &options) {
  ebpfc::runtime::EngineOptions checked = options;
  checked.checked = true;
  return std::make_unique<ebpfc::runtime::JitEngine>(checked);
}

[[maybe_unused]] const bool jitRegistered =
    ebpfc::runtime::registerEngine("jit", createJit) && ebpfc::runtime::registerEngine("jit-checked", createCheckedJit);

} // namespace

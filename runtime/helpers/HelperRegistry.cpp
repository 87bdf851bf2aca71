#include "runtime/helpers/HelperRegistry.h"

#include "ir/HelperTable.h"
#include "runtime/helpers/HelperSupport.h"
#include "runtime/vm/Engine.h"

#include <fmt/format.h>

namespace ebpfc::runtime {

const HelperRegistry &HelperRegistry::standard() {
  static const HelperRegistry registry = [] {
    HelperRegistry built;
    helpers::addMapHelpers(built);
    helpers::addPacketHelpers(built);
    helpers::addChecksumHelpers(built);
    helpers::addOutputHelpers(built);
    helpers::addRedirectHelpers(built);
    helpers::addMiscHelpers(built);
    return built;
  }();
  return registry;
}

void HelperRegistry::add(uint32_t id, std::string name, HelperFunction function, DirectHelperFunction direct,
                         bool inlinableArrayLookup) {
  if (name.empty()) {
    if (const ir::HelperInfo *info = ir::findHelper(id))
      name = std::string(info->name);
    else
      name = fmt::format("helper#{}", id);
  }
  auto helper = std::make_shared<Helper>();
  helper->id = id;
  helper->name = std::move(name);
  helper->function = std::move(function);
  helper->direct = direct;
  helper->inlinableArrayLookup = inlinableArrayLookup;
  helpers_[id] = std::move(helper);
}

bool HelperRegistry::remove(uint32_t id) { return helpers_.erase(id) != 0; }

const Helper *HelperRegistry::find(uint32_t id) const {
  auto it = helpers_.find(id);
  return it == helpers_.end() ? nullptr : it->second.get();
}

std::vector<uint32_t> HelperRegistry::ids() const {
  std::vector<uint32_t> ids;
  for (const auto &[id, helper] : helpers_)
    ids.push_back(id);
  return ids;
}

HelperContext *HelperContext::from(HelperCall &call) {
  if (auto *context = static_cast<HelperContext *>(call.hostState()))
    return context;
  call.fault("the run has no helper context (run the program through runtime/exec, or pass a HelperContext as "
             "RunInput::hostState)");
  return nullptr;
}

namespace helpers {

Map *mapArgument(HelperCall &call, unsigned index) {
  if (Map *map = Map::fromAddress(call.arg(index)))
    return map;
  call.fault(fmt::format("argument {} ({:#x}) is not a map", index, call.arg(index)));
  return nullptr;
}

namespace {
bool contextArgument(HelperCall &call, HelperContext &run, unsigned index, ContextKind kind) {
  if (!run.packet || run.packet->kind() != kind) {
    call.fault(fmt::format("needs a {} context, and the program runs {}", contextKindName(kind),
                           run.packet ? "with " + std::string(contextKindName(run.packet->kind()))
                                      : std::string("without a packet")));
    return false;
  }
  if (call.arg(index) != run.packet->contextAddress()) {
    call.fault(fmt::format("argument {} ({:#x}) must be the context pointer ({:#x})", index, call.arg(index),
                           run.packet->contextAddress()));
    return false;
  }
  return true;
}
} // namespace

XdpContext *xdpArgument(HelperCall &call, HelperContext &run, unsigned index) {
  return contextArgument(call, run, index, ContextKind::Xdp) ? static_cast<XdpContext *>(run.packet) : nullptr;
}

SkbContext *skbArgument(HelperCall &call, HelperContext &run, unsigned index) {
  return contextArgument(call, run, index, ContextKind::Skb) ? static_cast<SkbContext *>(run.packet) : nullptr;
}

ir::ProgramType programType(HelperCall &call) { return call.program().image().type; }

void packetChanged(HelperCall &call, HelperContext &run) {
  if (run.packet)
    call.replaceRegion(run.packet->packetRegion());
}

std::optional<std::string> probeString(HelperCall &call, uint64_t address, size_t limit) {
  std::string text;
  for (size_t i = 0; i < limit; ++i) {
    const std::optional<std::span<const uint8_t>> byte = call.probeReadableMemory(address + i, 1);
    if (!byte)
      return std::nullopt;
    if ((*byte)[0] == 0)
      return text;
    text += char((*byte)[0]);
  }
  return text; // truncated, as the kernel's bounded string copies are
}

} // namespace helpers
} // namespace ebpfc::runtime

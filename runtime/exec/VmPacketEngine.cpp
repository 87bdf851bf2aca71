// The VM engine family behind PacketEngine: objects loaded by the runtime's
// own loader into ObjectInstances over a runtime/vm engine.
#include "runtime/exec/ObjectInstance.h"

#include <fmt/format.h>

namespace ebpfc::runtime {

namespace {

class VmPacketEngine final : public PacketEngine {
public:
  VmPacketEngine(std::unique_ptr<Engine> engine, VmOptions options)
      : engine_(std::move(engine)), options_(std::move(options)) {}

  std::string_view name() const override { return engine_->name(); }

  Expected<std::unique_ptr<PacketObject>> load(const std::string &path,
                                               const std::vector<MapContents> &initial) const override {
    Expected<ObjectImage> image = loadObjectFile(path, options_.load);
    if (!image)
      return image.takeError();
    Expected<std::unique_ptr<ObjectInstance>> instance =
        ObjectInstance::create(std::move(*image), *engine_, options_, initial);
    if (!instance)
      return instance.takeError();
    return std::unique_ptr<PacketObject>(std::move(*instance));
  }

private:
  std::unique_ptr<Engine> engine_;
  VmOptions options_;
};

} // namespace

std::unique_ptr<PacketEngine> createVmPacketEngine(std::string_view vmEngine, VmOptions options, std::string &error) {
  std::unique_ptr<Engine> engine = createEngine(vmEngine, options.engine, error);
  if (!engine)
    return nullptr;
  return std::make_unique<VmPacketEngine>(std::move(engine), std::move(options));
}

std::vector<std::string_view> packetEngineNames() {
  std::vector<std::string_view> names(engineNames().begin(), engineNames().end());
  names.push_back("kernel");
  return names;
}

} // namespace ebpfc::runtime

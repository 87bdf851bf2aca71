#include "runtime/jit/Compiler.h"

#include "runtime/jit/Translator.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SmallVectorMemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Target/TargetMachine.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <unistd.h>

namespace ebpfc::runtime::jit {

CompiledFunction CompiledCode::function(uint32_t entry) const {
  auto it = std::lower_bound(functions_.begin(), functions_.end(), entry,
                             [](const auto &function, uint32_t slot) { return function.first < slot; });
  return it != functions_.end() && it->first == entry ? it->second : nullptr;
}

CompiledCode::~CompiledCode() {
  if (release_)
    release_();
}

namespace {

std::string errorText(llvm::Error error) { return llvm::toString(std::move(error)); }

// Bumped whenever the generated code's contract with the runtime changes
// in a way the layout below does not show.
constexpr std::string_view kCodeVersion = "ebpfc-jit/2";
// Compiled function names: the prefix and the entry slot.
const std::string kSymbolPrefix = "f";

} // namespace

// The process's one ORC JIT and the cache of what it holds.
class Compiler {
public:
  static Compiler &instance() {
    static Compiler compiler;
    return compiler;
  }

  void setDiskCache(const std::filesystem::path &directory) {
    std::lock_guard<std::mutex> lock(mutex_);
    diskCache_ = directory;
  }

  std::shared_ptr<const CompiledCode> compile(const CompileRequest &request, JitCompileInfo &info,
                                              std::string &error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!jit_) {
      error = setupError_;
      return nullptr;
    }
    const std::string key = keyOf(request);
    if (auto it = cache_.find(key); it != cache_.end())
      if (std::shared_ptr<const CompiledCode> code = it->second.lock()) {
        info.fromMemoryCache = true;
        return code;
      }

    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<llvm::MemoryBuffer> object = readDiskCache(key);
    info.fromDiskCache = object != nullptr;
    if (!object && !(object = generate(request, error)))
      return nullptr;
    if (!info.fromDiskCache)
      writeDiskCache(key, *object);

    // One library per compiled program, so that programs share symbol
    // names and unload independently; it links against the runtime.
    llvm::Expected<llvm::orc::JITDylib &> library = jit_->createJITDylib(fmt::format("ebpf{}", ++libraries_));
    if (!library) {
      error = "the JIT could not create a library: " + errorText(library.takeError());
      return nullptr;
    }
    library->addToLinkOrder(jit_->getMainJITDylib());
    llvm::orc::ExecutionSession &session = jit_->getExecutionSession();
    auto unload = [&session, &library = *library] { llvm::consumeError(session.removeJITDylib(library)); };
    if (llvm::Error failed = jit_->addObjectFile(*library, std::move(object))) {
      error = "the JIT could not link the program: " + errorText(std::move(failed));
      unload();
      return nullptr;
    }
    auto code = std::shared_ptr<CompiledCode>(new CompiledCode());
    for (uint32_t entry : request.checked.functionEntries) {
      llvm::Expected<llvm::orc::ExecutorAddr> address = jit_->lookup(*library, functionSymbol(kSymbolPrefix, entry));
      if (!address) {
        error = "the JIT could not find compiled function " + std::to_string(entry) + ": " +
                errorText(address.takeError());
        unload();
        return nullptr;
      }
      code->functions_.emplace_back(entry, address->toPtr<CompiledFunction>());
    }
    code->release_ = [this, unload] {
      std::lock_guard<std::mutex> releaseLock(mutex_);
      unload();
    };
    info.compileMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    // Forget entries whose programs are gone, then remember this one.
    for (auto it = cache_.begin(); it != cache_.end();)
      it = it->second.expired() ? cache_.erase(it) : std::next(it);
    cache_[key] = code;
    return code;
  }

private:
  Compiler() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::Expected<llvm::orc::JITTargetMachineBuilder> builder = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!builder) {
      setupError_ = "the JIT cannot target this host: " + errorText(builder.takeError());
      return;
    }
    builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
    llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine = builder->createTargetMachine();
    if (!machine) {
      setupError_ = "the JIT cannot target this host: " + errorText(machine.takeError());
      return;
    }
    machine_ = std::move(*machine);
    llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> jit =
        llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*builder).create();
    if (!jit) {
      setupError_ = "the JIT could not start: " + errorText(jit.takeError());
      return;
    }
    llvm::orc::SymbolMap symbols;
    for (const RuntimeSymbol &symbol : runtimeSymbols())
      symbols[(*jit)->mangleAndIntern(symbol.name)] = {llvm::orc::ExecutorAddr::fromPtr(symbol.address),
                                                       llvm::JITSymbolFlags::Exported |
                                                           llvm::JITSymbolFlags::Callable};
    llvm::orc::JITDylib &library = (*jit)->getMainJITDylib();
    if (llvm::Error failed = library.define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
      setupError_ = "the JIT could not define its runtime: " + errorText(std::move(failed));
      return;
    }
    // memset/memcpy, which code generation may call.
    auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        (*jit)->getDataLayout().getGlobalPrefix());
    if (!process) {
      setupError_ = "the JIT cannot see the process's symbols: " + errorText(process.takeError());
      return;
    }
    library.addGenerator(std::move(*process));
    hostSignature_ = machine_->getTargetTriple().str() + "|" + machine_->getTargetCPU().str() + "|" +
                     machine_->getTargetFeatureString().str();
    if (const char *directory = std::getenv("EBPFC_JIT_CACHE"); directory && *directory)
      diskCache_ = directory;
    jit_ = std::move(*jit);
  }

  std::string keyOf(const CompileRequest &request) const {
    std::string material(kCodeVersion);
    // The layout compiled code relies on.
    using Cached = interp::RunState::CachedRegion;
    for (size_t value : {sizeof(JitRun), offsetof(JitRun, finished), offsetof(JitRun, callSites),
                         offsetof(JitRun, budget), offsetof(JitRun, contextBegin), offsetof(JitRun, contextSize),
                         offsetof(JitRun, stackTop), offsetof(JitRun, regionCache), offsetof(JitRun, hostState),
                         offsetof(JitProgramData, directHelpers), offsetof(JitProgramData, arrayLayouts),
                         sizeof(ArrayLayout), sizeof(Cached),
                         offsetof(Cached, size), offsetof(Cached, writable), size_t(interp::RunState::kCacheSize)})
      material += fmt::format("|{}", value);
    material += request.checkedMode            ? "|checked|"
                : request.contextIsPlainMemory ? "|unchecked-plain-context|"
                                               : "|unchecked|";
    material += hostSignature_;
    material += '|';
    const auto *bytes = reinterpret_cast<const char *>(request.image.insns.data());
    material.append(bytes, request.image.insns.size() * sizeof(Insn));
    const llvm::XXH128_hash_t hash =
        llvm::xxh3_128bits(llvm::ArrayRef(reinterpret_cast<const uint8_t *>(material.data()), material.size()));
    return fmt::format("{:016x}{:016x}", hash.high64, hash.low64);
  }

  std::unique_ptr<llvm::MemoryBuffer> generate(const CompileRequest &request, std::string &error) {
    llvm::LLVMContext context;
    TranslationRequest translation{request.image,       request.checked,
                                   request.constants,   request.checkedMode,
                                   request.contextIsPlainMemory, kSymbolPrefix};
    std::unique_ptr<llvm::Module> module =
        translateProgram(translation, context, jit_->getDataLayout(), machine_->getTargetTriple());
    std::string problems;
    llvm::raw_string_ostream problemStream(problems);
    if (llvm::verifyModule(*module, &problemStream)) {
      error = "the JIT translated the program into invalid IR (a JIT bug): " + problems;
      return nullptr;
    }

    llvm::LoopAnalysisManager loops;
    llvm::FunctionAnalysisManager functions;
    llvm::CGSCCAnalysisManager sccs;
    llvm::ModuleAnalysisManager modules;
    llvm::PassBuilder passes(machine_.get());
    passes.registerModuleAnalyses(modules);
    passes.registerCGSCCAnalyses(sccs);
    passes.registerFunctionAnalyses(functions);
    passes.registerLoopAnalyses(loops);
    passes.crossRegisterProxies(loops, functions, sccs, modules);
    passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(*module, modules);

    llvm::SmallVector<char, 0> bytes;
    llvm::raw_svector_ostream stream(bytes);
    llvm::legacy::PassManager codegen;
    if (machine_->addPassesToEmitFile(codegen, stream, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      error = "the host target cannot emit object files";
      return nullptr;
    }
    codegen.run(*module);
    return std::make_unique<llvm::SmallVectorMemoryBuffer>(std::move(bytes), "ebpf-program", false);
  }

  std::unique_ptr<llvm::MemoryBuffer> readDiskCache(const std::string &key) const {
    if (diskCache_.empty())
      return nullptr;
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFile((diskCache_ / (key + ".o")).string());
    return file ? std::move(*file) : nullptr;
  }

  // Best effort: a cache that cannot be written only costs compile time.
  void writeDiskCache(const std::string &key, const llvm::MemoryBuffer &object) const {
    if (diskCache_.empty())
      return;
    std::error_code ec;
    std::filesystem::create_directories(diskCache_, ec);
    // Written aside and renamed, so that concurrent processes never read a partial file.
    const std::filesystem::path temporary = diskCache_ / fmt::format("{}.{}.tmp", key, ::getpid());
    {
      std::ofstream out(temporary, std::ios::binary);
      out.write(object.getBufferStart(), std::streamsize(object.getBufferSize()));
      if (!out)
        return;
    }
    std::filesystem::rename(temporary, diskCache_ / (key + ".o"), ec);
    if (ec)
      std::filesystem::remove(temporary, ec);
  }

  std::mutex mutex_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  std::unique_ptr<llvm::TargetMachine> machine_;
  std::string setupError_;
  std::string hostSignature_;
  std::filesystem::path diskCache_;
  std::map<std::string, std::weak_ptr<const CompiledCode>> cache_;
  uint64_t libraries_ = 0; // libraries created, for unique names
};

void setDiskCacheDirectory(const std::filesystem::path &directory) { Compiler::instance().setDiskCache(directory); }

std::shared_ptr<const CompiledCode> compileProgram(const CompileRequest &request, JitCompileInfo &info,
                                                   std::string &error) {
  return Compiler::instance().compile(request, info, error);
}

} // namespace ebpfc::runtime::jit

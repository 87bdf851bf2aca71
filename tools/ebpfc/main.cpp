// ebpfc: compiles restricted C (and P4) to eBPF ELF objects.
#include "driver/CommandLine.h"
#include "driver/Compiler.h"
#include "driver/OutputFile.h"

#include <llvm/Support/ErrorHandling.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace {
// LLVM aborts on internal errors it cannot recover from; turn them into an
// ordinary error exit without leaving partial outputs behind.
void onFatalLlvmError(void *, const char *reason, bool) {
  std::fprintf(stderr, "ebpfc: error: %s\nnote: LLVM could not compile this program; "
                       "please report it with the source that triggers it\n", reason);
  ebpfc::driver::removeTemporaryOutputs();
  std::_Exit(1);
}
} // namespace

int main(int argc, char **argv) {
  llvm::install_fatal_error_handler(onFatalLlvmError);
  std::vector<std::string> args(argv + 1, argv + argc);
  using namespace ebpfc;
  ir::DiagnosticEngine diags(driver::diagnosticFormatOf(args));
  diags.setColors(diags.format() == ir::DiagnosticFormat::Text && driver::colorRequested(args, ::isatty(2)));

  std::optional<driver::CommandLine> commandLine = driver::parseCommandLine(args, diags);
  if (!commandLine)
    return 1;
  switch (commandLine->action) {
  case driver::Action::Help:
    std::fputs(driver::helpText().c_str(), stdout);
    return 0;
  case driver::Action::Version:
    std::fputs(driver::versionText().c_str(), stdout);
    return 0;
  case driver::Action::Compile:
    break;
  }
  commandLine->options.colorDiagnostics = driver::colorRequested(args, ::isatty(2)) &&
                                          diags.format() == ir::DiagnosticFormat::Text;
  diags.setWarningsAsErrors(commandLine->options.warningsAsErrors);
  return driver::compile(commandLine->options, diags) && !diags.hasErrors() ? 0 : 1;
}

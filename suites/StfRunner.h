// Runs an STF script (suites/StfFile.h) against one loaded program, the way
// p4c's eBPF packet tests do: statements in file order on one instance of
// the object, so entries installed by `add`/`setdefault` and whatever the
// program writes into its maps stay for the packets after them.
//
// Tables are the maps of docs/p4.md ("Control plane"): `add pipe_t ...`
// writes map `pipe_t`, `setdefault pipe_t ...` map `pipe_t_defaultAction`.
// Keys and values are laid out from the object's BTF (struct pipe_t_key with
// members field0, field1, ...; struct pipe_t_value with the action id and a
// union of the actions' parameters), so any object following that layout
// works, not only ebpfc's.
//
// Where a packet goes (its output port) follows from the verdict:
//   XDP: XDP_PASS and XDP_TX leave on the input port, XDP_REDIRECT on the
//        redirect target's ifindex, XDP_DROP and XDP_ABORTED nowhere;
//   tc:  TC_ACT_OK (0) and TC_ACT_PIPE (3) leave on the input port,
//        TC_ACT_REDIRECT (7) on the redirect target, anything else nowhere.
// The input port is the context's ingress_ifindex. Engines that cannot see
// the redirect target (the kernel) report a redirected packet on port
// kUnknownPort, which matches the next expectation of any port.
#pragma once

#include "runtime/exec/PacketEngine.h"
#include "suites/StfFile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ebpfc::suites {

inline constexpr uint32_t kUnknownPort = 0xffffffff;

struct StfOutput {
  unsigned packetLine = 0; // the `packet` statement that produced it
  uint32_t port = 0;
  Bytes data;
};

struct StfRun {
  std::vector<StfOutput> outputs;       // in the order the packets ran
  std::vector<uint32_t> returnValues;    // one per `packet`, in order
};

// An error in running the script (not a mismatch): a table or field the
// object does not have, a value that does not fit, an engine refusing the
// input. `line` is the statement's line.
struct StfRunError {
  unsigned line = 0;
  std::string message;
};

// Runs `script` on `object`; the program is `program` ("" for the object's
// only program).
std::variant<StfRun, StfRunError> runStf(const runtime::PacketEngine &engine, const std::string &object,
                                         const std::string &program, const StfScript &script);

struct StfMismatch {
  unsigned line = 0;   // of the `expect` (or of the `packet` for an unexpected one)
  std::string message; // one sentence
  // For a packet that differs from its expectation: both, to show a diff.
  std::optional<BytePattern> expected;
  Bytes actual;
  bool exactLength = false; // the expectation ended in `$`
};

// Every way `run` differs from the script's expectations, in line order,
// empty when it passes: per port, the expected packets in order against the
// packets that left on it, and as many of them (a port whose only
// expectation is a bare `expect PORT` is unchecked).
std::vector<StfMismatch> checkStf(const StfScript &script, const StfRun &run);

// The script's text with every `expect` replaced by what `run` produced:
// after each `packet` line, one `expect` line per packet it sent, laid out
// in the packet's digit groups. Comments and other statements are kept.
std::string rewriteStfExpectations(const std::string &text, const StfScript &script, const StfRun &run);

} // namespace ebpfc::suites

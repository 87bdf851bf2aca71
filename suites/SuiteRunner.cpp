#include "suites/SuiteRunner.h"

#include "suites/ContextFields.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ebpfc::suites {

using runtime::Bytes;
using runtime::Expected;
using runtime::MapEntryData;
using runtime::MapSummary;
using runtime::PacketEngine;
using runtime::PacketInput;
using runtime::PacketObject;
using runtime::PacketResult;
using runtime::ProgramSummary;

namespace {

MapEntryData entryData(const suites::MapEntrySpec &entry) {
  MapEntryData data{entry.key, {}};
  if (entry.value) {
    data.values.push_back(entry.value->bytes);
    return data;
  }
  const size_t size = entry.cpuValues.begin()->second.bytes.size();
  data.values.assign(entry.cpuValues.rbegin()->first + 1, Bytes(size, 0));
  for (const auto &[cpu, value] : entry.cpuValues)
    data.values[cpu] = value.bytes;
  return data;
}

bool dumpListable(const PacketObject &object, std::map<std::string, suites::MapState> &states, std::string &error) {
  states.clear();
  for (const MapSummary &summary : object.maps()) {
    if (!summary.listable)
      continue;
    Expected<std::vector<MapEntryData>> entries = object.readMap(summary.name);
    if (!entries) {
      error = entries.error().message;
      return false;
    }
    suites::MapState &state = states[summary.name];
    state.perCpu = summary.perCpu;
    for (MapEntryData &entry : *entries)
      state.entries.push_back({std::move(entry.key), std::move(entry.values)});
  }
  return true;
}

} // namespace

std::vector<runtime::MapContents> initialContents(const suites::Suite &suite, const suites::CaseSpec &spec) {
  std::vector<runtime::MapContents> contents;
  for (const std::vector<suites::MapContents> *maps : {&suite.maps, &spec.maps})
    for (const suites::MapContents &map : *maps) {
      runtime::MapContents converted{map.map, {}};
      for (const suites::MapEntrySpec &entry : map.entries)
        converted.entries.push_back(entryData(entry));
      contents.push_back(std::move(converted));
    }
  return contents;
}

bool runCase(const PacketEngine &engine, const std::string &object, const suites::Suite &suite,
             const suites::CaseSpec &spec, suites::CaseResult &result, std::string &error) {
  Expected<std::unique_ptr<PacketObject>> loaded = engine.load(object, initialContents(suite, spec));
  if (!loaded) {
    error = loaded.error().message;
    return false;
  }
  PacketObject &instance = **loaded;
  const std::string &entry = suite.program.entry;
  ir::ProgramType type = ir::ProgramType::Unspec;
  for (const ProgramSummary &program : instance.programs())
    if (entry.empty() || program.name == entry || program.section == entry)
      type = program.type;
  const std::optional<runtime::ContextKind> kind = runtime::contextKindFor(type);
  result.contextKind = kind == runtime::ContextKind::Skb ? suites::ContextKind::Skb : suites::ContextKind::Xdp;

  if (!dumpListable(instance, result.mapsBefore, error))
    return false;
  PacketInput input;
  input.packet = spec.packet;
  for (const suites::ContextValue &value : spec.context)
    input.context.emplace_back(value.field, value.value);
  Expected<PacketResult> run = instance.run(entry, input);
  if (!run) {
    error = run.error().message;
    return false;
  }
  if (run->fault) {
    error = "the run faulted: " + run->fault->describe();
    return false;
  }
  result.returnValue = run->returnValue;
  result.packet = run->packet;
  // The fields suites know, as BPF_PROG_TEST_RUN reports them.
  result.context.clear();
  for (const suites::ContextField &field : suites::contextFields())
    if (field.kind == result.contextKind)
      if (auto it = run->context.find(std::string(field.name)); it != run->context.end())
        result.context[it->first] = it->second;
  result.trace = run->trace;
  result.ringBuffers = run->ringBuffers;
  return dumpListable(instance, result.mapsAfter, error);
}

int runProcess(const std::vector<std::string> &argv, std::string &output) {
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) {
    output = std::string("pipe failed: ") + std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDERR_FILENO);
  std::vector<char *> args;
  for (const std::string &arg : argv)
    args.push_back(const_cast<char *>(arg.c_str()));
  args.push_back(nullptr);
  pid_t child;
  int spawnError = posix_spawnp(&child, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipeFds[1]);
  output.clear();
  char buffer[4096];
  ssize_t length;
  while ((length = read(pipeFds[0], buffer, sizeof(buffer))) > 0 || (length < 0 && errno == EINTR))
    if (length > 0)
      output.append(buffer, size_t(length));
  close(pipeFds[0]);
  if (spawnError != 0) {
    output = "cannot run " + argv[0] + ": " + std::strerror(spawnError);
    return -1;
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool compileProgram(const std::string &compiler, const std::filesystem::path &source,
                    const std::vector<std::string> &flags, const std::filesystem::path &object,
                    std::string &error) {
  std::vector<std::string> argv{compiler};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), {"-c", source.string(), "-o", object.string()});
  std::string output;
  int status = runProcess(argv, output);
  if (status == 0)
    return true;
  std::string command;
  for (const std::string &arg : argv)
    command += (command.empty() ? "" : " ") + arg;
  error = (status < 0 ? "" : "compiling failed (exit status " + std::to_string(status) + "): ") + command + "\n" +
          output;
  return false;
}

} // namespace ebpfc::suites

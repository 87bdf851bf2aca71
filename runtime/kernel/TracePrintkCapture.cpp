#include "runtime/kernel/TracePrintkCapture.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace ebpfc::runtime::kernel {
namespace {

const char kInstancePrefix[] = "ebpfc-";

std::string errnoText() { return std::strerror(errno); }

std::string findTracefsMount() {
  std::ifstream mounts("/proc/mounts");
  std::string device, mountPoint, type, rest;
  while (mounts >> device >> mountPoint >> type && std::getline(mounts, rest))
    if (type == "tracefs")
      return mountPoint;
  return "";
}

// A descriptor of tracefs' root: the mounted one, or a private mount that
// is detached at once (it stays usable through the descriptor).
int openTracefs(std::string &error) {
  std::string mounted = findTracefsMount();
  if (!mounted.empty()) {
    int fd = open(mounted.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      error = "cannot open tracefs at " + mounted + ": " + errnoText();
    return fd;
  }
  char mountPoint[] = "/tmp/ebpfc-tracefs-XXXXXX";
  if (!mkdtemp(mountPoint)) {
    error = "tracefs is not mounted and no mount point can be made: " + errnoText();
    return -1;
  }
  int fd = -1;
  if (mount("tracefs", mountPoint, "tracefs", 0, nullptr) != 0) {
    error = "tracefs is not mounted and mounting it failed: " + errnoText();
  } else {
    fd = open(mountPoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      error = "cannot open the tracefs just mounted: " + errnoText();
    umount2(mountPoint, MNT_DETACH);
  }
  rmdir(mountPoint);
  return fd;
}

bool writeAt(int directory, const std::string &path, const std::string &text, std::string &error) {
  int fd = openat(directory, path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  bool ok = fd >= 0 && write(fd, text.data(), text.size()) == ssize_t(text.size());
  if (!ok)
    error = "cannot write tracefs/" + path + ": " + errnoText();
  if (fd >= 0)
    close(fd);
  return ok;
}

bool readAt(int directory, const std::string &path, std::string &text, std::string &error) {
  int fd = openat(directory, path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot read tracefs/" + path + ": " + errnoText();
    return false;
  }
  text.clear();
  char buffer[8192];
  ssize_t length;
  while ((length = read(fd, buffer, sizeof(buffer))) > 0)
    text.append(buffer, size_t(length));
  close(fd);
  return length == 0;
}

// Instances of processes that died without removing theirs (killed, crashed).
void removeStaleInstances(int tracefs) {
  int instances = openat(tracefs, "instances", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (instances < 0)
    return;
  DIR *directory = fdopendir(instances);
  if (!directory) {
    close(instances);
    return;
  }
  while (dirent *entry = readdir(directory)) {
    if (std::strncmp(entry->d_name, kInstancePrefix, sizeof(kInstancePrefix) - 1) != 0)
      continue;
    pid_t owner = pid_t(std::strtol(entry->d_name + sizeof(kInstancePrefix) - 1, nullptr, 10));
    if (owner > 0 && kill(owner, 0) != 0 && errno == ESRCH)
      unlinkat(dirfd(directory), entry->d_name, AT_REMOVEDIR);
  }
  closedir(directory);
}

// "  prog-1234  [000] ...11  12.345: bpf_trace_printk: text" -> 1234 and "text"
bool parseTraceLine(const std::string &line, long &thread, std::string &message) {
  static const std::string kMarker = "bpf_trace_printk: ";
  size_t marker = line.find(kMarker);
  size_t cpu = line.find(" [");
  if (marker == std::string::npos || cpu == std::string::npos)
    return false;
  size_t dash = line.rfind('-', cpu);
  if (dash == std::string::npos)
    return false;
  thread = std::strtol(line.c_str() + dash + 1, nullptr, 10);
  message = line.substr(marker + kMarker.size());
  return true;
}

} // namespace

std::unique_ptr<TracePrintkCapture> TracePrintkCapture::start(std::string &error) {
  int tracefs = openTracefs(error);
  if (tracefs < 0)
    return nullptr;
  removeStaleInstances(tracefs);
  std::string instance = "instances/" + std::string(kInstancePrefix) + std::to_string(getpid()) + "-" +
                         std::to_string(gettid());
  if (mkdirat(tracefs, instance.c_str(), 0700) != 0) {
    error = "cannot create the tracefs instance " + instance + ": " + errnoText();
    close(tracefs);
    return nullptr;
  }
  auto capture = std::unique_ptr<TracePrintkCapture>(new TracePrintkCapture(tracefs, instance));
  if (!writeAt(tracefs, instance + "/events/bpf_trace/bpf_trace_printk/enable", "1", error))
    return nullptr;
  return capture;
}

TracePrintkCapture::~TracePrintkCapture() {
  unlinkat(tracefs_, instance_.c_str(), AT_REMOVEDIR);
  close(tracefs_);
}

bool TracePrintkCapture::take(std::vector<std::string> &messages, std::string &error) {
  std::string text;
  if (!readAt(tracefs_, instance_ + "/trace", text, error))
    return false;
  messages.clear();
  long self = gettid();
  long thread = 0;
  std::string message;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] != '#' && parseTraceLine(line, thread, message) && thread == self)
      messages.push_back(message);
    start = end + 1;
  }
  // Writing "trace" with truncation clears the instance's buffer.
  return writeAt(tracefs_, instance_ + "/trace", "", error);
}

} // namespace ebpfc::runtime::kernel

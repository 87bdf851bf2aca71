#include "driver/OutputFile.h"

#include <cerrno>
#include <fcntl.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace ebpfc::driver {

namespace {
std::mutex temporariesMutex;
std::set<std::string> &temporaries() {
  static std::set<std::string> paths;
  return paths;
}

bool writeAll(int fd, std::string_view contents) {
  while (!contents.empty()) {
    ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}
} // namespace

bool writeOutputFile(const std::string &path, std::string_view contents, ir::DiagnosticEngine &diags) {
  if (path == "-") {
    if (!writeAll(STDOUT_FILENO, contents)) {
      diags.error("cannot write to standard output: " + std::string(std::strerror(errno)));
      return false;
    }
    return true;
  }
  struct stat existing;
  if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    if (S_ISDIR(existing.st_mode)) {
      diags.error("cannot open output file '" + path + "': it is a directory");
      return false;
    }
    // Devices and pipes (/dev/null, /dev/stdout, a FIFO) are written in
    // place: renaming a file over them would replace the device.
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && writeAll(fd, contents);
    int savedErrno = errno;
    if (fd >= 0)
      ::close(fd);
    if (!ok)
      diags.error("cannot write output file '" + path + "': " + std::strerror(savedErrno));
    return ok;
  }
  std::string temporary = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    diags.error("cannot open output file '" + path + "': " + std::strerror(errno),
                {{{}, "check that the directory '" + directoryOf(path) + "' exists and is writable"}});
    return false;
  }
  {
    std::lock_guard lock(temporariesMutex);
    temporaries().insert(temporary);
  }
  // mkstemp creates 0600; give the file the usual 0666 & ~umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  bool ok = writeAll(fd, contents);
  int savedErrno = errno;
  ok = (::close(fd) == 0) && ok;
  if (ok && ::rename(temporary.c_str(), path.c_str()) != 0) {
    ok = false;
    savedErrno = errno;
  }
  if (!ok) {
    ::unlink(temporary.c_str());
    diags.error("cannot write output file '" + path + "': " + std::strerror(savedErrno));
  }
  std::lock_guard lock(temporariesMutex);
  temporaries().erase(temporary);
  return ok;
}

void removeTemporaryOutputs() {
  // Called on the way out of a fatal error: no lock (it may be held).
  for (const std::string &path : temporaries())
    ::unlink(path.c_str());
}

} // namespace ebpfc::driver

#include "h5dig/io/atomic_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "h5dig/error.hpp"

namespace h5dig::io {

AtomicOutput::AtomicOutput(std::filesystem::path target) : target_(std::move(target)) {
  std::error_code ec;
  if (std::filesystem::is_directory(target_, ec))
    throw_usage(fmt::format("{}: is a directory, not an output file name", target_.string()));
  if (target_.filename().empty()) throw_usage(fmt::format("{}: not a file name", target_.string()));
  std::filesystem::path dir = target_.parent_path();
  temp_ = dir / fmt::format(".{}.h5dig-{}.tmp", target_.filename().string(), ::getpid());
  int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    int err = errno;
    throw Error(ErrorKind::io, fmt::format("cannot create {}: {}", target_.string(), std::strerror(err)));
  }
  ::close(fd);
  on_interrupt_.emplace(temp_.string());
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicOutput::commit() {
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    int err = errno;
    throw Error(ErrorKind::io, fmt::format("cannot rename {} to {}: {}", temp_.string(), target_.string(),
                                           std::strerror(err)));
  }
  committed_ = true;
  on_interrupt_.reset();
}

}  // namespace h5dig::io

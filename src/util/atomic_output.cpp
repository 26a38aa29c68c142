#include "h5dig/util/atomic_output.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "h5dig/error.hpp"
#include "h5dig/util/fd.hpp"

namespace h5dig::util {

namespace {

// `.NAME.h5dig-PID.tmp`: hidden, and recognisable as h5dig's (the tests and
// docs/fuzzing.md look for `.h5dig-`). NAME is shortened when the whole would
// pass NAME_MAX, so that any name the target may have gets a temporary name.
std::string temp_name_for(const std::string& name) {
  const std::string suffix = fmt::format(".h5dig-{}.tmp", ::getpid());
  const std::size_t room = NAME_MAX - 1 - suffix.size();
  return "." + name.substr(0, room) + suffix;
}

}  // namespace

AtomicOutput::AtomicOutput(std::filesystem::path target, Access access) : target_(std::move(target)) {
  std::error_code ec;
  if (std::filesystem::is_directory(target_, ec))
    throw_usage(fmt::format("{}: is a directory, not an output file name", target_.string()));
  if (target_.filename().empty()) throw_usage(fmt::format("{}: not a file name", target_.string()));
  temp_ = target_.parent_path() / temp_name_for(target_.filename().string());
  // O_TRUNC, not O_EXCL: a file of that name was left by a killed process whose
  // PID this one now has.
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    const int err = errno;
    throw Error(ErrorKind::io, fmt::format("cannot create {}: {}", target_.string(), std::strerror(err)));
  }
  on_interrupt_.emplace(temp_.string());
  if (access == Access::by_name) ::close(std::exchange(fd_, -1));
}

AtomicOutput::AtomicOutput(int dir_fd, const std::string& name, std::filesystem::path shown)
    : target_(std::move(shown)), dir_fd_(dir_fd), target_name_(name) {
  const std::size_t slash = name.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : name.substr(0, slash + 1);
  temp_name_ = dir + temp_name_for(name.substr(dir.size()));
  temp_ = target_.parent_path() / temp_name_.substr(dir.size());
  // O_NOFOLLOW: a symlink planted under the temporary name is never written through.
  fd_ = ::openat(dir_fd_, temp_name_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    const int err = errno;
    throw Error(ErrorKind::io, fmt::format("cannot create: {}", std::strerror(err)));
  }
  on_interrupt_.emplace(temp_.string());
}

AtomicOutput::~AtomicOutput() { discard(); }

void AtomicOutput::discard() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (committed_) return;
  if (dir_fd_ >= 0)
    ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
  else
    ::unlink(temp_.c_str());
}

void AtomicOutput::fail(const char* what, int err) const {
  // The dirfd form's caller names the member itself (unzip's "ARCHIVE/MEMBER: ...").
  if (dir_fd_ >= 0) throw Error(ErrorKind::io, fmt::format("{}: {}", what, std::strerror(err)));
  throw Error(ErrorKind::io, fmt::format("{}: {} {}: {}", target_.string(), what, temp_.string(), std::strerror(err)));
}

void AtomicOutput::reserve(std::uint64_t bytes) {
  if (bytes == 0) return;
  if (::fallocate(fd_, 0, 0, static_cast<off_t>(bytes)) != 0) {
    if (errno != EOPNOTSUPP && errno != ENOSYS) fail("no room for", errno);
    if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0) fail("cannot size", errno);
  }
}

void AtomicOutput::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  if (dir_fd_ >= 0) {
    if (const int err = pwrite_all(fd_, offset, bytes); err != 0) fail("write failed", err);
    return;
  }
  util::write_at(fd_, offset, bytes, target_.string());
}

void AtomicOutput::commit() {
  if (fd_ >= 0 && ::close(std::exchange(fd_, -1)) != 0) fail(dir_fd_ >= 0 ? "write failed" : "cannot write", errno);
  const int renamed = dir_fd_ >= 0 ? ::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, target_name_.c_str())
                                   : ::rename(temp_.c_str(), target_.c_str());
  if (renamed != 0) {
    const int err = errno;
    if (dir_fd_ >= 0) throw Error(ErrorKind::io, fmt::format("cannot rename into place: {}", std::strerror(err)));
    throw Error(ErrorKind::io, fmt::format("cannot rename {} to {}: {}", temp_.string(), target_.string(),
                                           std::strerror(err)));
  }
  committed_ = true;
  on_interrupt_.reset();
}

}  // namespace h5dig::util

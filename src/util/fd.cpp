#include "h5dig/util/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "h5dig/error.hpp"

namespace h5dig::util {

namespace {

// pwrite piece: page-cache folios of at most this size (order 6), far below
// the 2 MiB blocks a hypervisor reclaims.
constexpr std::size_t kWritePiece = 256u << 10;

}  // namespace

void Fd::reset(int fd) noexcept {
  if (fd_ >= 0 && fd_ != fd) ::close(fd_);
  fd_ = fd;
}

int Fd::close() noexcept {
  if (fd_ < 0) return 0;
  return ::close(release()) == 0 ? 0 : errno;
}

Fd open_read_only(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_io(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  return Fd(fd);
}

std::uint64_t file_size(int fd, const std::string& name) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_io(fmt::format("{}: cannot stat: {}", name, std::strerror(errno)));
  return static_cast<std::uint64_t>(st.st_size);
}

ReadResult pread_exact(int fd, std::span<std::byte> out, std::uint64_t offset) noexcept {
  ReadResult r;
  while (r.bytes < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + r.bytes, out.size() - r.bytes, static_cast<off_t>(offset + r.bytes));
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = errno;
      break;
    }
    if (n == 0) break;  // end of file
    r.bytes += static_cast<std::size_t>(n);
  }
  return r;
}

int pwrite_all(int fd, std::uint64_t offset, std::span<const std::byte> bytes, std::uint64_t* failed_at) noexcept {
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kWritePiece);
    const ssize_t put = ::pwrite(fd, bytes.data(), n, static_cast<off_t>(offset));
    if (put <= 0) {
      if (put < 0 && errno == EINTR) continue;
      if (failed_at) *failed_at = offset;
      return put < 0 ? errno : EIO;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(put));
    offset += static_cast<std::uint64_t>(put);
  }
  return 0;
}

void write_at(int fd, std::uint64_t offset, std::span<const std::byte> bytes, const std::string& what) {
  std::uint64_t at = offset;
  if (const int err = pwrite_all(fd, offset, bytes, &at); err != 0) {
    throw_io(fmt::format("{}: cannot write at byte {}: {}", what, at, std::strerror(err)));
  }
}

}  // namespace h5dig::util

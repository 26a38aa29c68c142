// File descriptors: the one owning type, and the positional read and write
// loops every layer uses (format's FileReader, the parallel reader, zip's file
// reads, read -o and unzip's writes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace h5dig::util {

// An owning file descriptor: closed on destruction (a close error is lost
// there: writers that care call close() themselves). Movable, not copyable.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  // Gives up ownership: the caller closes the descriptor.
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the descriptor held (if any) and holds `fd` instead.
  void reset(int fd = -1) noexcept;
  // Closes it now: 0, or close's errno (a delayed write error on some filesystems).
  int close() noexcept;

 private:
  int fd_ = -1;
};

// Opens `path` read-only. Throws Error(io) "PATH: cannot open: <reason>".
Fd open_read_only(const std::filesystem::path& path);

// The size of the open file (fstat). Throws Error(io) "NAME: cannot stat: <reason>".
std::uint64_t file_size(int fd, const std::string& name);

// What pread_exact did: `bytes` read into the front of the buffer (all of it,
// unless the file ended first or a read failed), and the errno of the failure.
struct ReadResult {
  std::size_t bytes = 0;
  int error = 0;
};

// Fills `out` from `offset` of `fd` with pread, going on after short reads and
// EINTR. Thread-safe (pread moves no file position). Never throws: each caller
// words a short read (a damaged file, a file that shrank) its own way.
ReadResult pread_exact(int fd, std::span<std::byte> out, std::uint64_t offset) noexcept;

// pwrite all of `bytes` at `offset` of `fd`, in pieces below 2 MiB (the page
// cache sizes its folios by the write; see io/output_memory.hpp for why 2 MiB
// matters here). Returns 0, or the errno of the failure with `*failed_at` (if
// given) set to the byte where it happened; a pwrite making no progress is EIO.
int pwrite_all(int fd, std::uint64_t offset, std::span<const std::byte> bytes,
               std::uint64_t* failed_at = nullptr) noexcept;

// The same, throwing Error(io) "WHAT: cannot write at byte N: <reason>" (a full
// disk included).
void write_at(int fd, std::uint64_t offset, std::span<const std::byte> bytes, const std::string& what);

}  // namespace h5dig::util

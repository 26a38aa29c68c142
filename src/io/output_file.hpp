// Private to io/: an output file written under a temporary name beside its
// target and renamed on success (nothing is left behind on error or Ctrl-C).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "h5dig/error.hpp"
#include "h5dig/io/output_memory.hpp"
#include "h5dig/util/interrupt_cleanup.hpp"

namespace h5dig::io {

// An output file being written: a temporary name beside the target, its
// blocks reserved up front, written with pwrite (write_at: pieces below 2 MiB,
// see output_memory.hpp; an mmap of it would fault 2 MiB page-cache folios in
// and zero them first); renamed to the target by commit(), removed otherwise.
class OutputFile {
 public:
  OutputFile(const std::filesystem::path& target, const std::string& header, std::uint64_t data_bytes)
      : target_(target) {
    std::filesystem::path dir = target.parent_path();
    std::string name = (dir.empty() ? std::filesystem::path(".") : dir) / ("." + target.filename().string() + ".h5dig-XXXXXX");
    std::vector<char> tmpl(name.begin(), name.end());
    tmpl.push_back('\0');
    fd_ = ::mkstemp(tmpl.data());
    if (fd_ < 0) throw_io(fmt::format("{}: cannot create a temporary file beside it: {}", target.string(), std::strerror(errno)));
    temp_ = tmpl.data();
    on_interrupt_.emplace(temp_);
    try {
      reserve(header.size() + data_bytes);
      write_at(fd_, 0, std::as_bytes(std::span(header)), target_.string());
      data_offset_ = header.size();
    } catch (...) {
      discard();  // a throwing constructor runs no destructor
      throw;
    }
  }
  ~OutputFile() { discard(); }
  // Writes `bytes` at `offset` of the data (after the header).
  void write(std::uint64_t offset, std::span<const std::byte> bytes) {
    write_at(fd_, data_offset_ + offset, bytes, target_.string());
  }
  void commit() {
    if (::close(std::exchange(fd_, -1)) != 0) fail("cannot write");
    if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("cannot rename the temporary file to");
    committed_ = true;
    on_interrupt_.reset();
  }

 private:
  void reserve(std::uint64_t size) {
    // Every block reserved before writing: a full disk (or quota) is this one
    // error, before any decoding. Filesystems without fallocate get a sparse
    // file (a full disk is then the write's error).
    if (size > 0 && ::fallocate(fd_, 0, 0, static_cast<off_t>(size)) != 0) {
      if (errno != EOPNOTSUPP && errno != ENOSYS) fail("no room for");
      if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("cannot size");
    }
  }
  void discard() noexcept {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
  }
  [[noreturn]] void fail(const char* what) {
    throw_io(fmt::format("{}: {} {}: {}", target_.string(), what, temp_, std::strerror(errno)));
  }
  std::filesystem::path target_;
  std::string temp_;
  std::optional<util::InterruptCleanup> on_interrupt_;  // removes temp_ on Ctrl-C
  std::uint64_t data_offset_ = 0;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace h5dig::io

// The one way h5dig writes an output file (make, repack, read -o, zip, unzip's
// members): under a temporary name beside the target, renamed onto it only on
// success. An error (the destructor), Ctrl-C/SIGTERM/SIGHUP (interrupt_cleanup.hpp)
// or a crashed worker (its supervisor, worker.hpp) removes the temporary file, so
// no half-written file ever appears under the target name; only kill -9 of the
// whole process leaves it (hidden, `.NAME.h5dig-PID.tmp`), the target untouched.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "h5dig/util/interrupt_cleanup.hpp"

namespace h5dig::util {

class AtomicOutput {
 public:
  enum class Access {
    // Created empty and closed: a library opens temp_path() by name (HDF5's H5Fcreate).
    by_name,
    // Kept open for writing in place: reserve() the size, then write_at() in any
    // order. Written with pwrite, not through an mmap of the file: on this
    // machine's VMs an mmap's faults ask for 2 MiB page-cache folios and zero
    // them first (io/output_memory.hpp), pwrite in small pieces does not.
    in_place,
  };

  // Creates `.NAME.h5dig-PID.tmp` beside `target`, mode 0666 & ~umask. Throws
  // Error(usage) when `target` is a directory or has no file name, and Error(io)
  // "cannot create TARGET: <reason>" when the directory is missing or not writable.
  explicit AtomicOutput(std::filesystem::path target, Access access = Access::by_name);
  // The same for `name` relative to the open directory `dir_fd` (unzip: every
  // member is created below the extraction root without following a symlink in
  // its last component; the caller checked the directories above it), mode
  // 0600 until the caller sets the final one. `shown` is the target as messages
  // and the interrupt clean-up name it (a path valid from the working directory).
  // Always in place.
  AtomicOutput(int dir_fd, const std::string& name, std::filesystem::path shown);
  // Removes the temporary file unless commit() succeeded. Never throws.
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& target() const noexcept { return target_; }
  // The temporary file, valid from the working directory.
  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  // The open descriptor of an in-place output (-1 for by_name, and after commit).
  int fd() const noexcept { return fd_; }

  // In place: reserves every block of `bytes` up front, so that a full disk (or
  // quota) is this one error before any work; filesystems without fallocate get
  // a sparse file (a full disk is then write_at's error).
  void reserve(std::uint64_t bytes);
  // In place: writes all of `bytes` at `offset` (pwrite in pieces below 2 MiB).
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes);
  // Closes an in-place output (its close error is a write error) and renames the
  // temporary file onto the target. Throws Error(io).
  void commit();

 private:
  [[noreturn]] void fail(const char* what, int err) const;
  void discard() noexcept;

  std::filesystem::path target_, temp_;
  int dir_fd_ = -1;  // the dirfd form: temp_name_ and target_name_ are relative to it
  std::string temp_name_, target_name_;
  std::optional<InterruptCleanup> on_interrupt_;  // removes temp_ on a signal
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace h5dig::util

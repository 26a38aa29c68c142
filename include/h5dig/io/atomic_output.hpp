// Output files are written under a temporary name beside the target and renamed
// onto it only on success: an interrupted run (an error, Ctrl-C, kill -9) never
// leaves a half-written file under the target name.
#pragma once

#include <filesystem>
#include <optional>

#include "h5dig/util/interrupt_cleanup.hpp"

namespace h5dig::io {

class AtomicOutput {
 public:
  // Reserves `.NAME.h5dig-PID.tmp` beside `target` (created empty, exclusively).
  // Throws Error(io) "cannot create TARGET: <reason>" when the directory is not
  // writable or missing, and Error(usage) when `target` is a directory.
  explicit AtomicOutput(std::filesystem::path target);
  // Removes the temporary file unless commit() succeeded. Never throws.
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  const std::filesystem::path& target() const noexcept { return target_; }
  // Renames the (closed) temporary file onto the target. Throws Error(io).
  void commit();

 private:
  std::filesystem::path target_, temp_;
  std::optional<util::InterruptCleanup> on_interrupt_;  // removes temp_ on Ctrl-C
  bool committed_ = false;
};

}  // namespace h5dig::io

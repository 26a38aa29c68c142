// Temporary output files removed when the run is interrupted.
//
// Every output is written under a temporary name beside its target and renamed
// on success, so an error never leaves a half-written file under the target
// name; the destructors remove the temporary file. A signal (Ctrl-C, SIGTERM,
// SIGHUP) runs no destructors, so the temporary files also register here: the
// handler installed by install_interrupt_cleanup() unlinks every registered
// path and then re-raises the signal with its default action, so the shell
// still sees "killed by SIGINT". kill -9 cannot be caught: its temporary file
// stays (hidden, `.NAME.h5dig-*`), the target is untouched.
#pragma once

#include <cstddef>
#include <string>

namespace h5dig::util {

// Installs the handler for SIGINT, SIGTERM and SIGHUP (once; later calls do
// nothing). Called by main() before any command runs.
void install_interrupt_cleanup();

// Unlinks every registered temporary file now. The registry is shared with
// child processes forked after install_interrupt_cleanup(): the supervisor of a
// worker (util/worker.hpp) calls this when its worker crashed or was killed.
void remove_registered_outputs() noexcept;

// Registers `path` for removal on interruption for the lifetime of the object.
// Thread-safe. A fixed number of slots exists (enough for every command); when
// all are taken the path is simply not registered.
class InterruptCleanup {
 public:
  explicit InterruptCleanup(const std::string& path) noexcept;
  ~InterruptCleanup();
  InterruptCleanup(const InterruptCleanup&) = delete;
  InterruptCleanup& operator=(const InterruptCleanup&) = delete;
  // The file was renamed onto its target (or removed): forget it.
  void release() noexcept;

 private:
  int slot_ = -1;
};

}  // namespace h5dig::util

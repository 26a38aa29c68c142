// A supervised worker process for commands that enter HDF5.
//
// HDF5 reads metadata it does not validate: a damaged file can crash it
// (SIGSEGV, or glibc's abort on a double free) or make it loop forever, and
// with it the whole process. run_in_worker() forks: the child returns and runs
// the command with the inherited standard output (so what it printed is kept);
// the parent never returns. It waits for the child and ends as the child did:
// same exit code; on a crash, one line
//     h5dig: FILE: OBJECT: crashed inside HDF5 (SIGSEGV)
// naming what util/breadcrumb.hpp says was being read, and exit 1; when the
// heartbeat stops for `watchdog_seconds`, the child is stopped and the line says
// "no progress for Ns". Either way the temporary files the child registered
// (util/interrupt_cleanup.hpp) are removed. Why a process and not validation
// alone: docs/architecture.md, "Isolation".
#pragma once

#include <string>

namespace h5dig::util {

struct WorkerOptions {
  std::string command;              // named in the message when no file is known yet
  double watchdog_seconds = 600.0;  // 0: no watchdog (a crash is still reported)
};

// The descriptor h5dig's own messages go to: stderr, except in a worker, whose
// fd 2 is a pipe to the supervisor that collects what C libraries print there
// (plugins' diagnostics, glibc's abort messages). std::cerr already writes here;
// check this one for a terminal (progress bars).
int message_fd() noexcept;

// Default watchdog period: $H5DIG_WATCHDOG (seconds) if set and valid, else 600.
double default_watchdog_seconds();

// Forks the worker and supervises it; returns in the worker only. Does nothing
// (returns in this process) when $H5DIG_NO_WORKER is set (debuggers) or fork fails.
void run_in_worker(const WorkerOptions& options);

}  // namespace h5dig::util

// One door into HDF5 for programs that run several pipelines at once.
//
// HDF5 is entered from one thread at a time (ARCHITECTURE.md). Inside one
// pipeline the serial stage sees to that; a program whose own threads each run
// reads — the Python module (many Python threads, one process) or a server
// handling requests concurrently — holds this process-wide lock around every
// HDF5 call. io::ParallelReader takes it itself around each of its HDF5 entries,
// so its decode work still overlaps with other readers'.
//
// The lock is recursive: a function holding it may call another that takes it.
// It is never held while a pipeline runs (its stages take it on other threads).
#pragma once

#include <mutex>

namespace h5dig::h5 {

// Locks HDF5's door until the returned lock goes out of scope. Thread-safe.
[[nodiscard]] std::unique_lock<std::recursive_mutex> lock_hdf5();

}  // namespace h5dig::h5

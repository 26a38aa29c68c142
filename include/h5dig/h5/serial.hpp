// One door into HDF5 for programs that run several reads at once.
//
// HDF5 is entered from one thread at a time (ARCHITECTURE.md). Inside one
// pipeline the serial stage sees to that; a program whose own threads each run
// reads — the Python module (many Python threads in one process), a server
// handling requests concurrently — holds this process-wide lock around every
// HDF5 call: opening and closing files and readers, metadata, mapping chunks
// (io::ParallelReader::allocated_chunks), and read() whenever
// ParallelReader::read_enters_hdf5() says it calls HDF5. Reads that only pread
// and decode run outside it, so their decoding overlaps.
//
// The lock is recursive: a function holding it may call another that takes it.
#pragma once

#include <mutex>

namespace h5dig::h5 {

// Locks HDF5's door until the returned lock goes out of scope. Thread-safe.
[[nodiscard]] std::unique_lock<std::recursive_mutex> lock_hdf5();

}  // namespace h5dig::h5

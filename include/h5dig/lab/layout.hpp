// The talk's chunk-shape experiment, side by side: a {N,N,N} uint16 stack
// (frame j = j) written frame by frame through HDF5's own path (H5Dwrite, the
// deflate filter, the chunk cache) with the good chunk shape {1,N,N}, the bad
// shape {N,1,N} with the default cache (bounded to a few frames and
// extrapolated), the bad shape with a cache sized for it, and through h5dig's
// ChunkWriter with each shape.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace h5dig::lab {

struct LayoutOptions {
  std::uint64_t size = 512;       // the stack is {size, size, size}
  std::uint64_t bad_frames = 8;   // frames written with the bad shape + default cache before extrapolating
  std::size_t threads = 0;        // h5dig's encoder threads (0 = all cores)
  unsigned level = 4;             // deflate level (h5py's compression="gzip" default)
  std::filesystem::path dir;      // where the files go (removed after); empty = the temp directory
  bool markdown = false;          // a Markdown table instead of aligned text
  std::vector<std::string> only;  // run only these rows (hdf5-good, hdf5-bad, hdf5-bad-cache, h5dig-good, h5dig-bad)
};

struct LayoutRow {
  std::string key, label, chunks, cache;
  double seconds = 0;             // whole stack (extrapolated when `extrapolated`)
  bool extrapolated = false;
  std::uint64_t frames_timed = 0;
  std::uint64_t stored_bytes = 0;  // 0 when not completed
};

// Runs the experiment; prints the table to `out` and returns its rows.
// Throws Error(io) if the directory is not writable.
std::vector<LayoutRow> run_bench_layout(const LayoutOptions& options, std::ostream& out);

}  // namespace h5dig::lab

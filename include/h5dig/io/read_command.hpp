// The library side of `h5dig read` and `h5dig bench read`: the tool files only
// parse arguments and call these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>

#include "h5dig/io/parallel_reader.hpp"

namespace h5dig::io {

struct ReadCommandOptions {
  std::string object;          // FILE/DATASET
  std::size_t threads = 0;     // 0 = all cores
  std::string select;          // numpy-like, "" = everything
  std::string output;          // "" = read into memory and discard; *.npy = NumPy file; else raw bytes
  bool verify = false;         // compare with H5Dread; Error(verify) on any difference
  RawSource raw_source = RawSource::pread;
  bool progress = true;        // progress bar on stderr (only shown on a terminal)
  // With `output`: the selection is read and written in slabs of about this
  // many bytes (whole chunk rows; two slabs in memory at once).
  std::uint64_t slab_bytes = 32u << 20;
};

// Runs `h5dig read`: reads the selection with ParallelReader into memory or into
// OUT (written to a temporary name beside it and renamed on success; nothing is
// left behind on error), then prints one summary line to `report` (bytes,
// chunks, seconds, MB/s). Throws Error: usage for a bad selection (exit 2),
// verify for a difference from H5Dread (exit 3), corrupt/io otherwise.
void run_read(const ReadCommandOptions& options, std::ostream& report);

// Compares `got` (what ParallelReader read for `sel`) with H5Dread of the same
// selection, slab by slab along the first dimension so that the reference copy
// stays small (~64 MB). Throws Error(verify) naming the first differing
// element's dataset coordinates.
void verify_selection(ParallelReader& reader, const Selection& sel, std::span<const std::byte> got);

// NumPy .npy version 1.0 header for a C-order array (padded to 64 bytes).
std::string npy_header(const std::string& descr, std::span<const std::uint64_t> shape);

struct BenchReadOptions {
  std::string object;        // FILE/DATASET
  std::size_t max_threads = 0;  // 0 = all cores; h5dig runs at 1..max_threads
  std::size_t repeat = 3;    // runs per row; the median is reported
};

// Runs `h5dig bench read`: H5Dread, h5dig read at 1..N threads and the N-thread
// decode kernel, each `repeat` times after one warm-up read, and prints a
// Markdown table of medians to `out`. Throws Error like run_read.
void run_bench_read(const BenchReadOptions& options, std::ostream& out);

}  // namespace h5dig::io

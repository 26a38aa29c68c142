// `h5dig bench codecs`: per filter, decode and encode speed of h5dig's codecs
// against the reference implementation (zlib for deflate, libzstd for zstd, and
// HDF5's own filter or the installed plugin through H5Dread/H5Dwrite), on the
// same chunks, on one core.
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace h5dig::bench {

struct CodecBenchOptions {
  std::size_t frames = 8;            // detector frames (1024 x 1024 uint16, Poisson mean 0.5), one chunk each
  std::size_t frame_side = 1024;
  std::size_t text_mib = 16;         // text bytes, in 1 MiB chunks
  int repeat = 5;                    // timed repetitions; the median is reported
  std::vector<std::string> filters;  // subset of the case names; empty: all
  std::filesystem::path workdir;     // for the HDF5 reference files; empty: a temporary directory
  bool levels = false;               // instead: compare zlib and libdeflate levels (deflate level table)
  int zlib_level = 0;                // with levels: only this zlib level (1-9); 0 = all
};

// Runs the benchmark and prints a Markdown table to `out` (progress to stderr
// when it is a terminal). Throws Error(usage) for an unknown filter name.
void run_bench_codecs(const CodecBenchOptions& options, std::ostream& out);

// The case names run_bench_codecs knows, in table order.
std::vector<std::string> codec_bench_cases();

}  // namespace h5dig::bench

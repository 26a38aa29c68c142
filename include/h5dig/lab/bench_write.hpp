// bench write: the same frames written through HDF5's own path (H5Dwrite with
// HDF5's filters, one thread, as h5py does) and through h5dig's ChunkWriter
// (N encoder threads, H5Dwrite_chunk), in one process, side by side.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace h5dig::lab {

struct BenchWriteOptions {
  std::uint64_t frames = 100;
  std::vector<std::uint64_t> shape = {1024, 1024};
  double mean = 0.5;
  std::string filter = "shuffle,gzip=4";  // HDF5's path supports shuffle, gzip, fletcher32 (and plugins)
  std::size_t threads = 0;
  std::filesystem::path dir;              // empty = temp directory
};

// Prints a table (time, MB/s, allocated bytes, speed-up) to `out`.
void run_bench_write(const BenchWriteOptions& options, std::ostream& out);

}  // namespace h5dig::lab

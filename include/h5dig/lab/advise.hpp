// advise: the chunk shape, chunk-cache size and filter for an access pattern,
// with the cost of the current choice (the talk's chunk-shape trap, in numbers).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "h5dig/h5/objects.hpp"

namespace h5dig::lab {

// How the data will be read or written, one unit after another in row-major order.
struct Access {
  enum class Kind { frames, rows, columns, box } kind = Kind::frames;
  std::vector<h5::Size> box;  // for Kind::box
  // The unit as a block shape over `dims`: frames {1, ...}, rows {1.., 1, W},
  // columns {N, 1.., 1}, box S (clipped).
  std::vector<h5::Size> unit(const std::vector<h5::Size>& dims) const;
  std::string describe(std::size_t rank) const;  // "frames x[i, :, :]"
};

// Parses frames|rows|columns|box=S. Throws Error(usage).
Access parse_access(const std::string& text, std::size_t rank);

struct AccessCost {
  std::uint64_t accesses = 0;           // units in the dataset
  std::uint64_t unit_bytes = 0;         // bytes one unit holds
  std::uint64_t chunk_bytes = 0;
  std::uint64_t chunks_per_access = 0;  // chunks one unit touches
  std::uint64_t cache_needed = 0;       // cache that lets consecutive units reuse chunks
  std::uint64_t decoded_total = 0;      // bytes decompressed reading every unit in order with `cache`
  std::uint64_t rewritten_total = 0;    // bytes HDF5 re-reads and recompresses writing every unit in order
  double read_amplification() const;    // decoded_total / dataset bytes
};

// The cost of reading/writing `dims` chunked as `chunks` unit by unit with a
// chunk cache of `cache_bytes` (HDF5's default: 1 MiB). Pure; thread-safe.
AccessCost access_cost(const std::vector<h5::Size>& dims, const std::vector<h5::Size>& chunks, std::size_t element_size,
                       const Access& access, std::uint64_t cache_bytes = 1 << 20);

// The chunk shape h5dig recommends for an access pattern: the unit itself when it
// is between 64 KiB and 4 MiB, units stacked up to ~1 MiB when smaller, the unit
// split along its leading axes when larger; for columns, long chunks along axis 0
// and square tiles across.
std::vector<h5::Size> recommend_chunks(const std::vector<h5::Size>& dims, std::size_t element_size, const Access& access);

// Prints the advice for FILE/DATASET to `out`. Throws Error (io, usage).
void run_advise(const std::string& object_path, const std::string& access, std::ostream& out);

}  // namespace h5dig::lab

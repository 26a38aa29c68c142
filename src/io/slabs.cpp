#include "h5dig/io/slabs.hpp"

#include <algorithm>

namespace h5dig::io {

void for_each_slab(const std::vector<std::uint64_t>& dims, std::size_t elem_size, const std::vector<std::uint64_t>& chunk,
                   const std::function<void(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&)>& fn,
                   std::size_t budget_bytes) {
  if (dims.empty()) {
    fn({}, {});
    return;
  }
  for (auto d : dims) {
    if (d == 0) return;
  }
  const std::size_t rank = dims.size();
  elem_size = std::max<std::size_t>(elem_size, 1);
  // Find the outermost dimension k such that whole "rows" below k fit the
  // budget; slabs then take a run of indices along k and everything below.
  std::size_t k = rank - 1;
  std::uint64_t below = 1;  // elements per index step of dimension k
  while (k > 0 && below * dims[k] * elem_size <= budget_bytes) {
    below *= dims[k];
    --k;
  }
  // Number of indices along k per slab.
  std::uint64_t step = std::max<std::uint64_t>(1, budget_bytes / (below * elem_size));
  if (!chunk.empty() && chunk.size() == rank && chunk[k] > 0) {
    // Round to whole chunks along k when a chunk row fits; else one chunk row.
    step = std::max<std::uint64_t>(chunk[k], step - step % chunk[k]);
  }
  step = std::min(step, dims[k]);

  std::vector<std::uint64_t> start(rank, 0), count(rank, 1);
  for (std::size_t i = k + 1; i < rank; ++i) count[i] = dims[i];
  // Odometer over dimensions 0..k-1, and runs along k.
  while (true) {
    for (std::uint64_t pos = 0; pos < dims[k]; pos += step) {
      start[k] = pos;
      count[k] = std::min(step, dims[k] - pos);
      fn(start, count);
    }
    start[k] = 0;
    std::size_t d = k;
    while (d > 0) {
      --d;
      if (++start[d] < dims[d]) break;
      start[d] = 0;
      if (d == 0) return;
    }
    if (k == 0) return;
  }
}

}  // namespace h5dig::io

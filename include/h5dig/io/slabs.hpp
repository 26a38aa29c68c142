// Row-major slabs of a dataspace, bounded in bytes, so
// that reading a dataset of any size keeps memory flat.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace h5dig::io {

// Calls `fn(start, count)` for consecutive row-major hyperslabs covering
// `dims` (empty = scalar: one call with empty vectors). Each slab holds at most
// about `budget_bytes` (at least one row of the innermost split dimension);
// when `chunk` is given, the split dimension advances in whole chunk rows so
// each chunk is decoded once per slab.
void for_each_slab(const std::vector<std::uint64_t>& dims, std::size_t elem_size, const std::vector<std::uint64_t>& chunk,
                   const std::function<void(const std::vector<std::uint64_t>&, const std::vector<std::uint64_t>&)>& fn,
                   std::size_t budget_bytes = std::size_t{4} << 20);

}  // namespace h5dig::io

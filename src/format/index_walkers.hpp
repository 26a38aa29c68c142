// Private: shared state of a chunk-index walk and the walkers of the array and
// v2 B-tree indexes (src/format/farray.cpp, earray.cpp, btree2.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/ranges.h>

#include "h5dig/format/chunk_index.hpp"

namespace h5dig::format::detail {

struct WalkContext {
  WalkContext(const FileReader& f, const Superblock& s, const DatasetHeader& h, const ChunkVisitor& v);

  const FileReader& file;
  const Superblock& sb;
  const DatasetHeader& header;
  const ChunkVisitor& visit;
  std::size_t rank;
  std::vector<std::uint64_t> offset;    // element offset of the chunk being emitted
  std::vector<std::uint64_t> grid;      // chunks per dimension over the current extent
  std::vector<std::uint64_t> max_grid;  // over the maximum extent (~0 where unlimited)
  std::uint64_t grid_count = 0;         // chunks the current extent spans
  std::uint64_t chunk_nbytes = 0;
  std::uint64_t count = 0;              // chunks emitted so far

  // Validates and hands one chunk (whose element offset is in `offset`) to the visitor.
  void emit(std::uint64_t rel_address, std::uint64_t size, std::uint32_t mask, std::string_view where,
            std::uint64_t where_address);
  // Sets `offset` from a linear chunk index over `extents` (per position, slowest
  // first) where position k holds dataset dimension order[k].
  void set_offset_from_linear(std::uint64_t index, std::span<const std::uint64_t> extents,
                              std::span<const std::size_t> order);
};

bool walker_available(ChunkIndexKind kind) noexcept;
void walk_farray(WalkContext& ctx);
void walk_earray(WalkContext& ctx);
void walk_btree2(WalkContext& ctx);

}  // namespace h5dig::format::detail

// One allocated chunk of a chunked dataset. The one record type from where
// chunks are found — the file's own index (format::walk_chunk_index) or HDF5's
// chunk queries (h5/chunk_info.hpp, the fallback) — through chunk::ChunkMap to
// every consumer (the parallel reader, `chunks`, `ls -v`'s chunk table, Python's
// chunk iteration); nothing converts it on the way.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

namespace h5dig::format {

struct ChunkRecord {
  std::uint64_t byte_offset = 0;  // absolute offset in the file (userblock included): what pread needs
  std::uint64_t size = 0;         // stored (filtered) bytes
  std::uint32_t filter_mask = 0;  // bit i set: filter i skipped for this chunk
};

// Receives each chunk: the element coordinates of its first element (valid
// during the call only; a ChunkMap keeps them flat beside the records) and its record.
using ChunkVisitor = std::function<void(std::span<const std::uint64_t> offset, const ChunkRecord& record)>;

// Whether `stored` bytes can hold a chunk of `nominal` (decoded) bytes. No codec
// expands data by more than a small header, so a larger stored size is a lying
// index or size field; reading it would allocate without bound. One rule for
// every reader of stored chunks (read, the archive's members).
constexpr bool plausible_stored_size(std::uint64_t stored, std::uint64_t nominal) noexcept {
  return stored <= 2 * nominal + (std::uint64_t{1} << 20);
}

}  // namespace h5dig::format

// Reading archived file contents in parallel: one serial stage reads stored
// chunks through HDF5 (H5Dread_chunk), N workers decode them with h5dig's codecs
// and checksum them, and one serial stage hands the bytes, in order, to a sink.
// Datasets whose filters h5dig has no codec for, or that are not chunked, are
// read through HDF5 (H5Dread) in bounded slabs instead.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "archive/members.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::archive::detail {

// All calls come from one thread at a time, in member order and, within a
// member, in offset order.
class ContentSink {
 public:
  virtual ~ContentSink() = default;
  // The member's bytes are about to be delivered (also called for empty files).
  virtual void begin(std::size_t member) = 0;
  virtual void data(std::size_t member, std::uint64_t offset, std::span<const std::byte> bytes) = 0;
  // All bytes delivered (error empty) or the member failed (error says why,
  // e.g. "chunk at byte 1048576: deflate: invalid data"); crc is the CRC-32 of
  // what was delivered.
  virtual void end(std::size_t member, std::uint32_t crc, const std::string& error) = 0;
};

// Reads the contents of `members[i]` for each i in `which` (file members only),
// on an exec pipeline of `threads` workers (0: one per core).
// Per-member failures go to sink.end; only failures to run at all throw.
void read_contents(const h5::File& file, const std::vector<Member>& members, const std::vector<std::size_t>& which,
                   std::size_t threads, ContentSink& sink, util::Progress* progress);

// CRC-32 (zlib polynomial) helpers on libdeflate / zlib.
std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::byte> bytes);
std::uint32_t crc32_combine(std::uint32_t crc1, std::uint32_t crc2, std::uint64_t len2);

}  // namespace h5dig::archive::detail

// The superblock: where HDF5 data starts in the file (after any userblock) and
// how wide its addresses and lengths are.
#pragma once

#include <cstdint>

#include "h5dig/format/file_reader.hpp"

namespace h5dig::format {

struct Superblock {
  unsigned version = 0;            // 0..3
  std::uint64_t base_address = 0;  // absolute offset addresses are relative to (the userblock size)
  unsigned sizeof_addr = 8;        // bytes per file address
  unsigned sizeof_size = 8;        // bytes per length
  std::uint64_t root_header_address = ~std::uint64_t{0};  // relative; undefined for v0/1 if not decoded

  // Absolute file offset of relative address `rel` (throws Error(corrupt) on overflow).
  std::uint64_t absolute(std::uint64_t rel) const;
};

// Finds the signature (at 0, 512, 1024, ... as HDF5 searches) and decodes the
// superblock, verifying the checksum of versions 2 and 3. Like HDF5, the
// signature's position is taken as the base address. Throws Error(corrupt)
// "not an HDF5 file" / naming the field at fault.
Superblock read_superblock(const FileReader& file);

}  // namespace h5dig::format

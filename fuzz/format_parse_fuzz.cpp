// libFuzzer target: the on-disk format parsers fed mutated HDF5 files.
//
// Input: 8 bytes (little-endian object-header address of a dataset, relative to
// the base address) followed by a whole HDF5 file image. The parsers must end in
// a walk or an h5dig::Error; anything else (crash, sanitizer report, timeout,
// out-of-memory) is a finding. Seed corpus: scripts/make_format_parse_fuzz_corpus.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "h5dig/error.hpp"
#include "h5dig/format/chunk_index.hpp"
#include "h5dig/format/object_header.hpp"
#include "h5dig/format/superblock.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  std::uint64_t header_address = 0;
  std::memcpy(&header_address, data, 8);
  std::span<const std::byte> image(reinterpret_cast<const std::byte*>(data) + 8, size - 8);
  try {
    h5dig::format::FileReader reader(image, "fuzz.h5");
    auto sb = h5dig::format::read_superblock(reader);
    auto header = h5dig::format::read_dataset_header(reader, sb, header_address);
    if (header.layout.layout_class != h5dig::format::LayoutClass::chunked) return 0;
    std::uint64_t sum = 0;
    h5dig::format::walk_chunk_index(reader, sb, header, [&](std::span<const std::uint64_t>, const h5dig::format::ChunkRecord& c) {
      sum += c.byte_offset + c.size;
    });
    (void)sum;
  } catch (const h5dig::Error&) {
  }
  return 0;
}

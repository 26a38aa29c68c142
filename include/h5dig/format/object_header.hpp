// A dataset's object header, decoded as far as chunk mapping needs: the
// dataspace, the data layout message (versions 3 and 4) and the filter
// pipeline message. Object headers of versions 1 and 2 with their continuation
// blocks are walked; version-2 checksums are verified.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "h5dig/format/file_reader.hpp"
#include "h5dig/format/superblock.hpp"

namespace h5dig::format {

// HDF5's chunk index kinds (H5D_chunk_index_t values as stored in layout v4;
// btree1 is implied by layout version 3).
enum class ChunkIndexKind : unsigned { btree1 = 0, single = 1, implicit = 2, farray = 3, earray = 4, btree2 = 5 };

// "btree1", "single", "implicit", "farray", "earray", "btree2".
const char* index_kind_name(ChunkIndexKind kind) noexcept;

struct FilterEntry {
  unsigned id = 0;
  unsigned flags = 0;
  std::string name;
  std::vector<unsigned> cd_values;
};

enum class LayoutClass : unsigned { compact = 0, contiguous = 1, chunked = 2, virtual_ = 3 };

struct DataLayout {
  unsigned version = 0;
  LayoutClass layout_class = LayoutClass::contiguous;
  unsigned flags = 0;                     // v4 chunk flags (bit 0: partial edge chunks unfiltered; bit 1: filtered single chunk)
  std::vector<std::uint64_t> chunk_dims;  // dataset rank (the element-size dimension removed)
  std::uint64_t element_size = 0;         // the layout's last "dimension"
  ChunkIndexKind index = ChunkIndexKind::btree1;
  std::uint64_t index_address = ~std::uint64_t{0};  // relative to the base address; undefined if none yet
  // single chunk, filtered
  std::uint64_t single_size = 0;
  std::uint32_t single_filter_mask = 0;
  // fixed array
  unsigned farray_page_bits = 0;
  // extensible array
  unsigned earray_max_nelmts_bits = 0, earray_idx_blk_elmts = 0, earray_sup_blk_min_data_ptrs = 0,
           earray_data_blk_min_elmts = 0, earray_page_bits = 0;
  // v2 B-tree
  std::uint32_t btree2_node_size = 0;

  // Bytes of one unfiltered chunk.
  std::uint64_t chunk_nbytes() const noexcept;
};

struct DatasetHeader {
  std::uint64_t address = 0;  // relative object-header address
  unsigned version = 0;       // object header version (1 or 2)
  std::vector<std::uint64_t> dims;
  std::vector<std::uint64_t> maxdims;  // ~0 for unlimited
  DataLayout layout;
  std::vector<FilterEntry> filters;
  bool has_layout = false;
};

// Decodes the object header at relative address `address`. Throws
// Error(corrupt) naming the structure and address for damage (bad signature,
// checksum, truncated message, continuation loop), Error(unsupported) for
// valid features not decoded here (shared dataspace/pipeline messages, layout
// versions 1-2).
DatasetHeader read_dataset_header(const FileReader& file, const Superblock& sb, std::uint64_t address);

}  // namespace h5dig::format

// Walking a chunked dataset's on-disk chunk index: version-1 B-tree, single
// chunk, implicit, fixed array, extensible array, version-2 B-tree.
//
// Every walk is linear in the number of index nodes: each node is read once
// with pread into a bounded buffer. Damage — a bad signature or checksum, an
// address past the end of the file, a node that points back to one already
// visited, a count that lies — is Error(corrupt) naming the structure and its
// address; never a hang, an unbounded allocation or a crash.
#pragma once

#include "h5dig/format/chunk_record.hpp"
#include "h5dig/format/file_reader.hpp"
#include "h5dig/format/object_header.hpp"
#include "h5dig/format/superblock.hpp"

namespace h5dig::format {

// Whether walk_chunk_index decodes this dataset's index kind.
bool index_supported(const DatasetHeader& header) noexcept;

// Calls `visit` once per allocated chunk, in the index's own order (C order of
// chunk offsets for B-trees, element index order for arrays). Throws as above;
// Error(usage) if the dataset is not chunked.
void walk_chunk_index(const FileReader& file, const Superblock& sb, const DatasetHeader& header,
                      const ChunkVisitor& visit);

}  // namespace h5dig::format

// HDF5's own chunk queries (H5Dget_num_chunks, H5Dget_chunk_info) and the file
// facts format/ needs to read a dataset's index itself (file name, userblock).
//
// Note: on HDF5 1.10.8 H5Dget_chunk_info walks the index from the start on every
// call, so mapping N chunks this way is O(N^2); chunk::map_chunks uses it only
// as the fallback and the cross-check.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "h5dig/format/chunk_record.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

// What visit_chunks does when HDF5 cannot answer.
enum class ChunkQuery {
  strict,   // an HDF5 failure throws; a chunk without an address is left out (chunk::map_chunks)
  lenient,  // ls -v's last resort on a damaged index: a failing count is no chunks, a chunk HDF5
            // cannot describe is left out, every other one is passed on as HDF5 reports it
};

// Calls `visit` for every allocated chunk in HDF5's index order (H5Dget_num_chunks
// over the whole extent, then H5Dget_chunk_info for each) with its format::ChunkRecord.
// HDF5 1.10.8 reports addresses relative to the base address: `base` (the
// userblock, userblock_size) is added, so that byte_offset is absolute as the
// index reader gives it.
void visit_chunks(const Dataset& dataset, std::uint64_t base, ChunkQuery query, const format::ChunkVisitor& visit);
// Userblock size of the dataset's file (H5Pget_userblock): where its base address is.
std::uint64_t userblock_size(const Dataset& dataset);
// The name the dataset's file was opened with (H5Fget_name).
std::string file_name(const Dataset& dataset);
// If the dataset's file is open for writing, flushes it (H5Fflush, local scope)
// so that what is on disk matches what HDF5 holds in its caches.
void flush_if_writable(const Dataset& dataset);
// A Dataset sharing `id` (H5Iinc_ref): code holding raw ids can use the typed
// API; closing the returned object leaves `id` open.
Dataset borrow_dataset(Id id);

}  // namespace h5dig::h5

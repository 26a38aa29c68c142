// HDF5 calls used by `h5dig bench codecs` to time HDF5's own filters and the
// installed plugins (H5Dwrite / H5Dread of whole datasets) on the same chunks
// h5dig codes itself.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "h5dig/codec/pipeline.hpp"

namespace h5dig::h5::codec_bench {

// Whether HDF5 can encode and decode with this filter here (plugin found).
bool filter_available(unsigned filter_id);

// Creates `path` with one dataset "data" of `frames` chunks of `chunk_bytes`
// bytes (1-D elements of `element_size` bytes, unsigned integers), filtered by
// `filters` (recorded exactly), and writes `data` through H5Dwrite so HDF5
// applies the filters. Returns the bytes stored (H5Dget_storage_size).
std::size_t write_through_hdf5(const std::filesystem::path& path, const std::vector<codec::FilterSpec>& filters,
                               std::size_t element_size, std::size_t chunk_bytes, std::span<const std::byte> data);

// Reads the whole dataset "data" of `path` through H5Dread into `out`.
void read_through_hdf5(const std::filesystem::path& path, std::size_t element_size, std::span<std::byte> out);

}  // namespace h5dig::h5::codec_bench

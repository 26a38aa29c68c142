// repack: rechunk and recompress one dataset or a whole file (groups, attributes
// and links kept), reading in bounded slabs of whole input chunks and writing
// through ChunkWriter (encoders on N threads, direct chunk write).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::io {

struct RepackOptions {
  std::size_t threads = 0;                            // encoder threads; 0 = all cores
  std::optional<std::vector<h5::Size>> chunks;         // unset: keep the input's chunks
  std::optional<codec::ParsedFilters> filters;        // unset: keep the input's filters
  std::uint64_t memory_limit = 0;                     // 0 = kDefaultMemoryLimit
};

struct RepackStats {
  std::uint64_t datasets = 0;        // rewritten through ChunkWriter
  std::uint64_t copied = 0;          // copied as stored (H5Ocopy: scalar, variable-length, empty)
  std::uint64_t logical_bytes = 0;   // data bytes rewritten
  std::uint64_t stored_bytes = 0;    // encoded bytes written
  double seconds = 0;
};

// Repacks `in` (FILE[/OBJECT], h5ls rule) into `out` (OUT.h5[/OBJECT]; the
// output file is created under a temporary name and renamed on success).
// OBJECT may be a dataset or a group; without one the whole file is repacked.
// Prints one summary line to `log`. Throws Error: usage for chunks of the wrong
// rank or larger than a fixed dimension and filters unsuited to a type; io on
// read/write failures; unsupported for filters h5dig cannot encode.
RepackStats run_repack(const std::string& in, const std::string& out, const RepackOptions& options, std::ostream& log);

// Splits OUT.h5[/OBJECT] for a file that may not exist yet: the file is the
// first path prefix that is not an existing directory.
std::pair<std::filesystem::path, std::string> split_output_path(const std::string& arg);

// Chunks for a dataset that has none (contiguous input): the whole dataset up
// to 1 MiB; else frames {1, ...} (halved along leading axes down to 4 MiB,
// stacked up to ~1 MiB when small); 1-D: 1 MiB chunks.
std::vector<h5::Size> default_chunks(const std::vector<h5::Size>& dims, std::size_t element_size);

}  // namespace h5dig::io

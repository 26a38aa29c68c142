// `h5dig chunks`: a dataset's chunk map as a text summary, CSV, JSON or
// kerchunk references.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "h5dig/chunk/chunk_map.hpp"

namespace h5dig::h5 { class Dataset; }

namespace h5dig::chunk {

enum class ReportFormat { text, csv, json, kerchunk };

// Parses "text", "csv", "json", "kerchunk"; throws Error(usage) otherwise.
ReportFormat parse_report_format(std::string_view name);

// JSON: {"chunk_shape": [...], "chunks": [{"offset": [...], "filter_mask": n,
// "byte_offset": n, "size": n}, ...]}, chunks in C order of their offsets.
void write_chunks_json(std::ostream& out, const ChunkMap& map);
// CSV: header "offset_0,...,offset_{r-1},filter_mask,byte_offset,size", one row a chunk.
void write_chunks_csv(std::ostream& out, const ChunkMap& map);
// Summary: chunk count, allocated vs logical bytes, compression ratio,
// smallest/median/largest chunk, unallocated chunks. `title` names the dataset.
void write_chunks_text(std::ostream& out, const ChunkMap& map, std::string_view title);
// kerchunk (version 1) references for a zarr v2 array named `name` reading
// `url`: .zgroup, NAME/.zarray, NAME/.zattrs and one [url, offset, size] per
// allocated chunk "NAME/i.j.k". Filters map to numcodecs ids (deflate -> zlib,
// shuffle, fletcher32, zstd, blosc); throws Error(unsupported) naming a filter
// zarr cannot read (HDF5's LZ4 framing, bitshuffle, szip, ...) or a datatype
// zarr v2 cannot describe, and naming the chunk whose filter mask skips a filter.
void write_chunks_kerchunk(std::ostream& out, const ChunkMap& map, const h5::Dataset& dataset, std::string_view url,
                           std::string_view name);

// The whole command: opens FILE/DATASET (h5ls path rule), maps it with
// `method`, writes the report in `format`. Throws Error as documented for the
// CLI (usage: not a dataset / not chunked; io; corrupt; unsupported).
void run_chunks(std::ostream& out, const std::string& object_path, ReportFormat format,
                    MapMethod method = MapMethod::automatic);

}  // namespace h5dig::chunk

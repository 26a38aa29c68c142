// Filter specs as users type them on the command line ("shuffle,gzip=4", "bslz4",
// "zstd=3", "gzip=4:zlib", "none") and the cd_values HDF5 records for them.
//
// Parsing gives the user-level pipeline; `resolve_filter_specs` then fills the
// cd_values exactly as HDF5's own set_local callbacks (or the Debian plugins')
// would for a given element size, so a file h5dig writes lists the same
// `Filter-N:` lines under `h5ls -v` as the file h5py writes with the same options:
//   shuffle     -> shuffle-2 OPT {element size}        (H5Z_set_local_shuffle)
//   gzip=N      -> deflate-1 OPT {N}                   (H5Pset_deflate)
//   fletcher32  -> fletcher32-3 {}                     (mandatory, as H5Pset_fletcher32)
//   lz4         -> lz4-32004 OPT {0}                   (h5py compression=32004, opts (0,))
//   bslz4       -> bitshuffle-32008 OPT {0, 3, esize, 0, 2}  (plugin 0.3.5 set_local; LZ4)
//   zstd=N      -> zstd-32015 OPT {N}
//   szip=nn:P   -> szip-4 OPT {mask, P, bits, scanline}   (H5Pset_szip + H5Z_set_local_szip;
//                  `szip` = nn:8, h5py's default; ec for entropy coding)
//   lzf         -> lzf-32000 OPT {4, 261, chunk bytes}     (h5py's lzf_set_local)
//   bzip2=N     -> bzip2-307 OPT {N}                       (the plugin's block size, default 9)
//   lzo         -> lzo-305 OPT {1, 11, 4}                  (PyTables, as for a CArray)
// Pure functions; thread-safe. Never calls HDF5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "h5dig/codec/pipeline.hpp"

namespace h5dig::codec {

struct ParsedFilters {
  std::vector<FilterSpec> filters;  // pipeline order, user-level cd_values
  DeflateEngine deflate = DeflateEngine::libdeflate;
};

// Parses a comma-separated filter spec in pipeline order. Accepted items:
// `shuffle`, `gzip[=0..9][:zlib]` (alias `deflate`), `fletcher32`, `lz4`,
// `bslz4` (alias `bitshuffle`), `zstd[=1..22]`, `szip[=nn|ec[:2..32, even]]`,
// `lzf`, `bzip2[=1..9]`, `lzo`, `none` (alone). Throws Error(usage) naming the
// offending item and the reason.
ParsedFilters parse_filter_specs(std::string_view text);

// The specs with cd_values as HDF5 records them for elements of `element_size`
// bytes in chunks of `chunk_dims` (see the table above; szip needs the chunk
// shape, LZF records its size, 0 without it). Throws Error(usage) when a
// filter does not suit the type or the chunks: shuffle of 1-byte elements (a
// no-op HDF5 would still pay for), shuffle/bitshuffle of elements over 255
// bytes (the plugins reject them), szip of elements other than 1, 2, 4 or 8
// bytes or of chunks smaller than a block.
std::vector<FilterSpec> resolve_filter_specs(const std::vector<FilterSpec>& filters, std::size_t element_size,
                                             std::span<const std::uint64_t> chunk_dims = {});

// Why szip (as parsed: {options, pixels per block}) cannot be applied to
// elements of `element_size` bytes in chunks of `chunk_dims`, or nothing if it
// can (as far as sizes go: HDF5 also refuses types without a byte order, such
// as compounds and strings, which the caller checks). HDF5 applies szip to 1,
// 2, 4 and 8-byte elements (3 too, which libaec's szip interface mishandles),
// in chunks of at least one block.
std::optional<std::string> szip_unsuitable(const FilterSpec& szip, std::size_t element_size,
                                           std::span<const std::uint64_t> chunk_dims);

// Formats specs back into the command-line syntax ("shuffle,gzip=4"); "none" if empty.
std::string format_filter_specs(const std::vector<FilterSpec>& filters, DeflateEngine deflate = DeflateEngine::libdeflate);

}  // namespace h5dig::codec

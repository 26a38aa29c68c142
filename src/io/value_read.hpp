// Private to io/: `h5dig read` of values rather than stored bytes.
//
// Variable-length strings and sequences (alone, as array bases or compound
// members) are stored as references into the file's global heap, not as
// data: ParallelReader's raw chunk path cannot read them. They are read with
// H5Dread in the native memory type, in bounded batches (about 64 Ki
// elements; each batch's vlen memory reclaimed before the next), and written
// as values:
//   -o OUT.json   one JSON document: nested lists along the selection's shape,
//                 each element as h5/value_json.hpp renders it (what h5py reads)
//   -o -          one JSON value per element and line, on stdout
//   -o OUT.npy    variable-length strings (and arrays of them) only: NumPy's
//                 '<U{longest}' (two passes: the longest string, then the data)
//   no -o         read and discarded (timing)
// Any dataset (fixed-size ones too) goes this way for `-o OUT.json` and `-o -`.
//
// --verify reads each batch a second time with H5Dread and compares the
// rendered values: HDF5 decodes both, so it checks the batching and the
// value walk, not a second decoder.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "h5dig/io/read_command.hpp"
#include "h5dig/util/atomic_output.hpp"

namespace h5dig::io {

// True when `read` with `output` of `dataset` in `file` goes through values
// (see above): the type holds variable-length data, or OUT is .json or "-".
bool reads_values(const std::string& file, const std::string& dataset, const std::string& output);

// Starts `read -o`'s output file (an in-place util::AtomicOutput): every block of
// `header` (an .npy header, or nothing) and `data_bytes` reserved, so that a full
// disk is one error before any decoding, and the header written. Returns the
// offset where the data begins.
std::uint64_t begin_output(util::AtomicOutput& out, const std::string& header, std::uint64_t data_bytes);

// Runs the value read; same contract as run_read (summary line to `report`,
// Error on failure, nothing left behind).
void run_value_read(const ReadCommandOptions& options, std::ostream& report);

}  // namespace h5dig::io

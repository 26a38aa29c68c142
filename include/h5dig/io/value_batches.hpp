// Values of a dataset, not its stored bytes: H5Dread in the native memory
// type, in bounded batches (about 1 MiB of memory elements: 64 Ki
// variable-length sequences, 128 Ki variable-length strings; what they point to
// comes on top and is reclaimed with each batch).
//
// This is how variable-length data (stored as references into the file's
// global heap, which io::ParallelReader cannot decode) is read: by `h5dig read
// -o X.json / -o - / -o X.npy` (io/value_read.cpp) and by Python's `ds[...]`
// (python/src/), one batch at a time so that a caller may let go of HDF5's
// lock between batches.
//
// Every function here that reads enters HDF5: call with h5::lock_hdf5() held
// (or from a single-threaded command).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "h5dig/h5/describe.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/io/selection.hpp"

namespace h5dig::io {

// Memory per batch for the elements themselves.
inline constexpr std::size_t kValueBatchBytes = std::size_t{1} << 20;

// The row-major batches covering `sel` (steps kept: each batch is a hyperslab
// of the dataset with `sel`'s steps), for memory elements of `mem_size` bytes
// (at least 16 is assumed: a variable-length element's size in memory). Their
// elements, concatenated in order, are `sel`'s in C order. A rank-0 `sel`
// (a scalar dataset) is one rank-0 batch; a selection without elements has none.
std::vector<Selection> value_batches(const Selection& sel, std::size_t mem_size);

// Reads one batch with H5Dread in the native memory type. Errors are
// prefixed with `where` ("FILE/DATASET").
h5::ValueBuffer read_value_batch(const h5::Dataset& ds, const Selection& batch, const std::string& where);

// The variable-length elements of a batch as plain bytes, copied out of HDF5's
// memory so that the batch can be reclaimed: element i is
// data[ends[i-1], ends[i]) (ends[-1] = 0).
//   variable-length strings    their bytes up to the terminating NUL (a null
//                              pointer, an element never written, is empty)
//   variable-length sequences  length x base element bytes, in the base's
//                              native memory type (`base`)
// Other element types (variable-length data inside compounds or arrays,
// sequences of variable-length data) are Error(unsupported) naming `where`.
struct FlatValues {
  std::vector<std::byte> data;
  std::vector<std::uint64_t> ends;
  h5::TypeDesc base;  // sequences: the base element's memory type; strings: unset
  bool strings = false;
};
// Appends the elements of `batch` to `out` (its `strings` and `base` set from
// the first batch). Pure: no HDF5 call.
void append_flat_values(FlatValues& out, const h5::ValueBuffer& batch, const std::string& where);

// True if `t` (a file type) is what append_flat_values flattens: a
// variable-length string, or a variable-length sequence of fixed-size elements.
bool flattens_to_values(const h5::TypeDesc& t);

}  // namespace h5dig::io

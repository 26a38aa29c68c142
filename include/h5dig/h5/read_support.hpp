// HDF5 queries the parallel reader needs beyond objects.hpp: fill values,
// storage kinds, and what a stored type looks like to NumPy.
//
// Like the rest of h5/, these enter HDF5: call them from the serial stage only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

// The dataset's fill value as `stored` elements (H5Pget_fill_value converts to
// the type we ask for, so asking for the file type gives the bytes HDF5 puts in
// unwritten chunks). Zeros when no fill value is defined, as HDF5 does.
std::vector<std::byte> fill_value_bytes(const Dataset& dataset, const Datatype& stored);

// True if raw data lives in external files (H5Pget_external_count > 0).
bool has_external_storage(const Dataset& dataset);

struct StoredTypeInfo {
  std::size_t size = 0;   // bytes per element
  bool fixed_size = true; // false for variable-length data and references, wherever in the type
  bool variable_length = false;  // variable-length strings or sequences somewhere in the type
  // h5py's dtype (h5/numpy_dtype.hpp): a .npy descr ('<u2', '>f8', '|S16', a
  // structured list), the array element's dims h5py appends to the shape, and
  // whether NumPy has an equivalent at all (no: raw bytes, time class).
  std::string npy_descr;
  std::vector<std::uint64_t> npy_subshape;
  bool npy_exact = true;
  // The parts of an element whose stored bytes h5py shows otherwise
  // (strings, partial-precision integers; h5/numpy_dtype.hpp).
  std::vector<ValueFix> value_fixes;
  std::string summary;    // for messages: "uint16 LE", "float64 BE", "compound (12 bytes)"
};

// Describes the dataset's stored (file) type.
StoredTypeInfo describe_stored_type(const Datatype& stored);

// H5Dread of the hyperslab start/count (all of it for a rank-0 dataset) with
// the stored type as memory type, i.e. no conversion: `out` receives the stored
// bytes in C order and must hold count-product × element size bytes. `step`
// (empty, or one >= 1 per dimension) selects every step-th element.
void read_stored(const Dataset& dataset, std::span<const std::uint64_t> start, std::span<const std::uint64_t> count,
                 void* out, std::span<const std::uint64_t> step = {});

}  // namespace h5dig::h5

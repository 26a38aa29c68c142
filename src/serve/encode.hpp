// Private to serve/: what /data and /stats make of selected values (stored
// bytes described by an h5::TypeDesc): `dtype=safe` conversion, the npy, csv
// and TIFF encodings, and statistics. No HDF5 call: runs outside the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "h5dig/h5/describe.hpp"

namespace h5dig::serve {

// Numbers as numpy sees them: integers, floats, bitfields, enums (bool too)
// and complex pairs, or arrays of those.
bool is_numeric(const h5::TypeDesc& type);
// A real number (numeric, not complex, not an array): what csv, tiff and
// /stats take.
bool is_real(const h5::TypeDesc& type);
// Contains variable-length data anywhere (strings, sequences, references).
bool has_variable_length(const h5::TypeDesc& type);

// `dtype=safe`: float16 -> float32, wider floats -> float64, big-endian ->
// little-endian; everything else unchanged. `type` must be numeric.
h5::TypeDesc safe_type(const h5::TypeDesc& type);
bool needs_conversion(const h5::TypeDesc& type);
// Converts `count` elements of `from` at `in` to `to` = safe_type(from).
std::vector<std::byte> convert(const h5::TypeDesc& from, const h5::TypeDesc& to, std::span<const std::byte> in,
                               std::uint64_t count);

// A NumPy .npy 1.0 file of the values (`descr` a dtype string).
std::string npy(const std::string& descr, std::span<const std::uint64_t> shape, std::span<const std::byte> data);
// np.savetxt(..., delimiter=",") rows of 1-D or 2-D real values (little-endian: after safe conversion).
std::string csv(const h5::TypeDesc& type, std::span<const std::uint64_t> shape, std::span<const std::byte> data);
// A baseline little-endian TIFF of 2-D real values, one grey channel.
std::string tiff(const h5::TypeDesc& type, std::span<const std::uint64_t> shape, std::span<const std::byte> data);
// /stats as JSON over the finite values of `count` real little-endian values.
std::string stats(const h5::TypeDesc& type, std::span<const std::byte> data, std::uint64_t count);

}  // namespace h5dig::serve

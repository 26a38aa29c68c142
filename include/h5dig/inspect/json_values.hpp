// HDF5 values as JSON, the way h5py + orjson write them (what `h5dig serve`
// answers for /data and /attr; rules in docs/serve-api.md, "JSON values").
//
// Values are described by h5::TypeDesc (h5/describe.hpp) and laid out in
// memory either as the file stores them (ParallelReader's bytes: any byte
// order, float16) or in HDF5's native memory type (h5::read_*_values: variable
// strings as char*, vlen sequences as h5::VlenValue). No HDF5 call: thread-safe.
//
// - integers exactly; floats in the shortest form that reads back to the same
//   value of their own type (float16 through float32, as orjson); NaN/Inf null;
// - h5py's bool enum (FALSE/TRUE) as true/false, other enums as their integer;
// - strings decoded as UTF-8 (invalid bytes become U+FFFD), fixed-length ones
//   without trailing NULs (numpy 'S');
// - compound elements (complex pairs included) as the list of their fields;
//   array types and vlen sequences as lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "h5dig/h5/describe.hpp"

namespace h5dig::inspect {

// False for what has no JSON form: opaque data, references, time and unknown
// classes, anywhere inside the type.
bool has_json_form(const h5::TypeDesc& type);

// One element of `type` at `p`.
void append_json_element(std::string& out, const h5::TypeDesc& type, const std::byte* p);

// `count` elements at `data` (C order) shaped `shape` (their product is
// count): nested lists, or one flat list when `flatten`; with `scalar` the one
// element alone. An array type's dims extend the shape (h5py's view).
void append_json_values(std::string& out, const h5::TypeDesc& type, const std::byte* data,
                        std::span<const std::uint64_t> shape, bool scalar, bool flatten);

// A JSON string literal of UTF-8 text (invalid sequences replaced).
void append_json_string(std::string& out, std::string_view text);

// Shortest round-trip forms (orjson's): "0.1", "1e-08", "2.0"; null for NaN/Inf.
void append_json_double(std::string& out, double v);
void append_json_float(std::string& out, float v);

// IEEE half precision to float (exact).
float half_to_float(std::uint16_t h);

}  // namespace h5dig::inspect

// One element of HDF5 data, in memory, as JSON: what `h5dig read -o X.json`
// (and `-o -`) writes, matching what h5py reads, value for value.
//
// The element is laid out as h5::read_dataset_values() reads it: the native
// memory type (h5::ValueBuffer::mem_type), walked at its real member offsets,
// array strides and vlen pointers -- the same walk as `ls -d`'s renderer.
//
//   integers, bitfields, enums   numbers (an enum as its base integer, as h5py;
//                                h5py's booleans, FALSE=0/TRUE=1, as true/false)
//   floats                       shortest round-trip decimal; NaN as null,
//                                infinities as Infinity / -Infinity (Python's json)
//   strings, fixed or variable   text (UTF-8; bytes that are not UTF-8 as
//                                \udc80..\udcff escapes, Python's surrogateescape);
//                                fixed strings end at their first NUL, space-padded
//                                ones lose their trailing spaces (as h5py reads them)
//   compounds                    objects keyed by member name, in HDF5's order;
//                                h5py's complex numbers (members r, i) as [re, im]
//   arrays, vlen sequences       lists (arrays nested along their dims)
//   opaque                       text of its bytes (surrogateescape), as h5py's bytes
//   time, references, unknown    null (no value h5py reads)
//
// Pure: no HDF5 call.
#pragma once

#include <cstddef>
#include <string>

#include "h5dig/h5/describe.hpp"

namespace h5dig::h5 {

// Appends the JSON text of the element of memory type `t` at `p` to `out`.
void append_json_value(std::string& out, const TypeDesc& t, const std::byte* p);

// Appends `bytes` as a JSON string literal (UTF-8 kept; invalid bytes as
// \udcXX, control characters escaped).
void append_json_string(std::string& out, const char* bytes, std::size_t n);

// Unicode code points of `bytes` read as UTF-8, invalid bytes as U+DC80+byte
// (Python's surrogateescape): what NumPy's '<U' holds for h5py's strings.
void utf8_code_points(const char* bytes, std::size_t n, std::u32string& out);

}  // namespace h5dig::h5

// NumPy's dtype for an HDF5 datatype, mapped the way h5py 3 maps it
// (TypeID.py_dtype in h5py's h5t.pyx), so that bytes h5dig hands to NumPy
// read back as h5py's `d.dtype`. The one mapping for every place that does:
// `read -o X.npy`, the Python module, the viewer's server.
//
//   integer            '<i4', '>u2', '|u1' (size and order; a partial precision or
//                      bit offset is fixed in the values, ValueFix below); sizes
//                      other than 1, 2, 4, 8: raw bytes '|V{size}', exact = false
//   float              '<f2', '<f4', '>f8' for IEEE's layouts, '<f16' for x86's long
//                      double; any other layout: raw bytes, exact = false
//   bitfield           unsigned integer of its size and order: '|u1', '>u2'
//   enum               its base integer; FALSE=0/TRUE=1 exactly: '|b1' (h5py's bool)
//   fixed string       '|S{size}' (charset and padding are HDF5's business)
//   opaque             '|V{size}'
//   compound           a structured dtype: names, formats, offsets, itemsize (the
//                      HDF5 size: gaps and trailing padding kept); two float members
//                      named 'r', 'i' of one type: complex ('<c8', '>c16')
//   array              its base, with the dims as a subshape; at the top level h5py
//                      appends them to the dataset's shape (`subshape` below)
//   time, unknown      no NumPy equivalent: raw bytes '|V{size}', exact = false
//   vlen, vlen string, reference: no fixed-size NumPy bytes (h5py: object): fixed_size = false
//
// Pure: works on h5::TypeDesc (describe_type), enters no HDF5 itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "h5dig/h5/describe.hpp"

namespace h5dig::h5 {

struct NumpyDtype {
  // The dtype as a .npy header's 'descr' (numpy.lib.format.dtype_to_descr):
  // a type string ('<u2', '|S16', '|b1') or, for a compound, a Python list
  // literal of (name, format[, shape]) fields in offset order with ('', '|V{n}')
  // padding for gaps and the tail: [('a', '<i4'), ('', '|V4'), ('b', '<f8')].
  std::string descr;
  // The element's array dims (a top-level array type): h5py reads them as
  // trailing dimensions of the dataset, so a .npy shape is the dataspace's
  // dims followed by these, and `descr` is the base's.
  std::vector<std::uint64_t> subshape;
  std::size_t itemsize = 0;  // bytes of one whole element (the HDF5 type's size)
  // False when NumPy has no equivalent (time class, unknown classes, inside a
  // compound too): `descr` then gives raw bytes of the right size.
  bool exact = true;
  // False when the element holds variable-length data or references (heap or
  // object addresses, not values); `descr` is then meaningless.
  bool fixed_size = true;
  // True when a compound's members are not in increasing offset order (h5py
  // keeps HDF5's order; a .npy descr can only list fields by offset, so the
  // descr is h5py's dtype with its fields sorted by offset: same bytes, same
  // names, formats and offsets).
  bool reordered = false;
};

// h5py's dtype for `type`, as described above.
NumpyDtype numpy_dtype(const TypeDesc& type);

// True if `t` holds variable-length data anywhere: a vlen sequence, a
// variable-length string (also as an array base or a compound member).
bool holds_variable_length(const TypeDesc& t);

// A part of each element whose stored bytes h5py does not show as they are:
// h5py reads through HDF5's conversion to NumPy's memory types, and the stored
// bytes differ from what that gives in two cases (tests/python/test_foreign.py
// checks h5dig's reads against h5py's):
//   - fixed strings become NumPy's null-padded ones: everything after a null
//     terminator, and a space-padded string's padding spaces, become NULs;
//   - integers (and bitfields, enum bases) with fewer significant bits than
//     their size, or bits at an offset (H5Tset_precision / H5Tset_offset):
//     the value is those bits, shifted down and sign-extended.
// `count` such parts of `size` bytes follow each other from `offset` (an array
// is one entry).
struct ValueFix {
  enum class Kind { nullterm_string, spacepad_string, integer_bits };
  Kind kind = Kind::nullterm_string;
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t count = 1;
  // integer_bits:
  std::size_t precision = 0, bit_offset = 0;
  bool is_signed = false, big_endian = false;
};

// Every part of an element of `type` that needs a fix (compound members and
// elements of arrays of compounds one by one; at most 65,536 entries, else an
// unsupported error). Empty for the common types: nothing to do.
std::vector<ValueFix> value_fixes(const TypeDesc& type);

// Rewrites `elements` (whole elements of `element_size` bytes) in place as h5py
// reads them (above). Does nothing for an empty `fixes`.
void apply_value_fixes(std::span<const ValueFix> fixes, std::size_t element_size, std::span<std::byte> elements);

// A Python string literal ('...') for `s`: what .npy descrs and field names need.
std::string python_string_literal(const std::string& s);

}  // namespace h5dig::h5

// h5dig's spelling of HDF5's handle, size and kind types.
//
// HDF5 has one door, the h5 layer: no header outside it includes <hdf5.h>, and
// since HDF5's include directories are PRIVATE to the h5dig_h5 target, a file
// outside h5/ that tries fails to compile. What callers need of HDF5's vocabulary
// (an object id to hold, a dimension size, what kind of layout or link a thing
// is) they get here, under h5dig's names.
//
// The aliases are the same types as HDF5 1.10's (hid_t is int64_t, hsize_t is
// unsigned long long, haddr_t is uint64_t), and each enumerator has HDF5's value:
// src/h5/types.cpp checks both at compile time, so a value crossing the door is
// converted by a static_cast and never changes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace h5dig::h5 {

using Id = std::int64_t;          // hid_t: an open HDF5 object (file, dataset, type, space, plist ...)
using Size = unsigned long long;  // hsize_t: a dimension, a count, a byte size
using Address = std::uint64_t;    // haddr_t: a byte address in the file

inline constexpr Id kInvalidId = -1;                  // H5I_INVALID_HID
inline constexpr Id kDefaultPlist = 0;                // H5P_DEFAULT
inline constexpr Size kUnlimited = ~Size{0};          // H5S_UNLIMITED
inline constexpr Address kUndefinedAddress = ~Address{0};  // HADDR_UNDEF

// One variable-length sequence in memory as H5Dread/H5Aread leave it (hvl_t).
struct VlenValue {
  std::size_t len;  // elements
  void* p;          // owned by HDF5 until reclaimed (h5::ValueBuffer does)
};
// An object reference in memory (hobj_ref_t: the object's header address).
using ObjectRef = Address;

// H5S_class_t
enum class SpaceClass : int { no_class = -1, scalar = 0, simple = 1, null = 2 };

// H5T_class_t
enum class TypeClass : int {
  no_class = -1,
  integer = 0,
  floating = 1,
  time = 2,
  string = 3,
  bitfield = 4,
  opaque = 5,
  compound = 6,
  reference = 7,
  enumeration = 8,
  vlen = 9,
  array = 10,
};

// H5T_order_t
enum class ByteOrder : int { error = -1, little = 0, big = 1, vax = 2, mixed = 3, none = 4 };

// H5T_sign_t
enum class Sign : int { error = -1, none = 0, twos_complement = 1 };

// H5D_layout_t
enum class Layout : int { error = -1, compact = 0, contiguous = 1, chunked = 2, virtual_ = 3 };

// H5O_type_t
enum class ObjectType : int { unknown = -1, group = 0, dataset = 1, named_datatype = 2 };

// H5L_type_t
enum class LinkType : int { error = -1, hard = 0, soft = 1, external = 64 };

// HDF5's predefined types that h5dig's writers and tests name (H5T_STD_U8LE ...).
enum class Predefined { std_u8le, std_u16le, native_uint16 };
// The id of a predefined type (borrowed: never close it). Calls init().
Id predefined(Predefined type);

}  // namespace h5dig::h5

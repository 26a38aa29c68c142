// Private to the h5 layer: <hdf5.h>, and the bridge between HDF5's enums and
// h5dig's (h5/types.hpp, same values: checked in src/h5/types.cpp).
//
// Comparisons across the two work directly (`desc.layout == H5D_CHUNKED`);
// `ours(v)` converts an HDF5 value into h5dig's enum, `theirs(v)` back.
#pragma once

#include <hdf5.h>

#include <string_view>

#include "h5dig/h5/types.hpp"

namespace h5dig::h5 {

#define H5DIG_BRIDGE(Ours, Theirs)                                                                   \
  inline constexpr Ours ours(Theirs v) noexcept { return static_cast<Ours>(static_cast<int>(v)); }   \
  inline constexpr Theirs theirs(Ours v) noexcept { return static_cast<Theirs>(static_cast<int>(v)); } \
  inline constexpr bool operator==(Ours a, Theirs b) noexcept { return static_cast<int>(a) == static_cast<int>(b); }
H5DIG_BRIDGE(SpaceClass, H5S_class_t)
H5DIG_BRIDGE(TypeClass, H5T_class_t)
H5DIG_BRIDGE(ByteOrder, H5T_order_t)
H5DIG_BRIDGE(Sign, H5T_sign_t)
H5DIG_BRIDGE(Layout, H5D_layout_t)
H5DIG_BRIDGE(ObjectType, H5O_type_t)
H5DIG_BRIDGE(LinkType, H5L_type_t)
#undef H5DIG_BRIDGE

// Throws Error(io) "CALL failed: <the HDF5 error stack in one line>" (error.cpp).
[[noreturn]] void throw_call_failed(std::string_view call);

}  // namespace h5dig::h5

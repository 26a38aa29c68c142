// Datatypes (H5T).
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <cstddef>

#include "h5dig/h5/error.hpp"
#include "h5dig/h5/handle.hpp"

namespace h5dig::h5 {

class Datatype {
 public:
  explicit Datatype(Id owned) : id_(owned) {}
  // A copy of a predefined type, e.g. predefined(Predefined::std_u8le).
  static Datatype copy_of(Id predefined);

  Id id() const noexcept { return id_.get(); }
  TypeClass type_class() const;
  std::size_t size() const;
  ByteOrder order() const;
  bool equals(Id other) const;
  // For an integer type: false if unsigned (H5Tget_sign == H5T_SGN_NONE).
  bool is_signed() const;
  bool is_variable_string() const;
  // The native in-memory equivalent (H5Tget_native_type, ascending direction).
  Datatype native() const;

 private:
  DatatypeId id_;
};

// The size in bytes of datatype `type` (H5Tget_size), or 0 if `type` is not a
// valid datatype, in which case the HDF5 error stack is cleared. Never throws.
std::size_t type_size_or_zero(Id type) noexcept;

}  // namespace h5dig::h5

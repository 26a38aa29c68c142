// Attributes (H5A).
//
// Part of h5/objects.hpp (which includes every one of these): typed, checked
// wrappers over the HDF5 C API, one header per HDF5 concept. Not thread-safe:
// HDF5 is entered from one thread at a time.
#pragma once

#include <string>

#include "h5dig/h5/dataspace.hpp"
#include "h5dig/h5/datatype.hpp"

namespace h5dig::h5 {

class Attribute {
 public:
  explicit Attribute(Id owned) : id_(owned) {}
  Id id() const noexcept { return id_.get(); }
  std::string name() const;
  Dataspace space() const;
  Datatype type() const;
  // Reads the whole attribute in `mem_type` into `out` (sized by the caller).
  void read(Id mem_type, void* out) const;

 private:
  AttributeId id_;
};

}  // namespace h5dig::h5

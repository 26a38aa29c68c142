// Property lists (H5P).
//
// Part of h5/objects.hpp (which includes every one of these): typed, checked
// wrappers over the HDF5 C API, one header per HDF5 concept. Not thread-safe:
// HDF5 is entered from one thread at a time.
#pragma once

#include "h5dig/h5/error.hpp"
#include "h5dig/h5/handle.hpp"

namespace h5dig::h5 {

class PropList {
 public:
  explicit PropList(Id owned) : id_(owned) {}
  static PropList create(Id cls);  // e.g. H5P_DATASET_CREATE
  Id id() const noexcept { return id_.get(); }

 private:
  PropListId id_;
};

}  // namespace h5dig::h5

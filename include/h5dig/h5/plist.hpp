// Property lists (H5P).
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
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

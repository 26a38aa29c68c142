// Attributes (H5A).
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
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

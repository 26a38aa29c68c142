// Groups (H5G) and the objects in them.
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <string>

#include "h5dig/h5/dataset.hpp"

namespace h5dig::h5 {

class Group : public Location {
 public:
  explicit Group(Id owned) : Location(owned), handle_(owned) {}
  Group(Group&& other) noexcept : Location(other.id_), handle_(std::move(other.handle_)) {}
  Group& operator=(Group&& other) noexcept {
    handle_ = std::move(other.handle_);
    id_ = handle_.get();
    return *this;
  }

  Group open_group(const std::string& path) const;
  Group create_group(const std::string& path) const;
  Dataset open_dataset(const std::string& path) const;
  // Whether `path` (relative or absolute) resolves to an object; false for
  // dangling links and missing intermediate groups, never throws for those.
  bool exists(const std::string& path) const;
  ObjectType object_type(const std::string& path) const;

 private:
  GroupId handle_;
};

}  // namespace h5dig::h5

// Locations: what files, groups and datasets share (attributes, names).
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "h5dig/h5/attribute.hpp"

namespace h5dig::h5 {

// Anything with a location: files, groups, datasets (for attributes and links).
class Location {
 public:
  Id id() const noexcept { return id_; }
  std::size_t attribute_count() const;
  Attribute open_attribute(const std::string& name) const;
  Attribute open_attribute(std::size_t index) const;  // by creation/name order
  bool has_attribute(const std::string& name) const;
  // Creates and writes a scalar or 1-D attribute of `file_type` from `data`.
  void write_attribute(const std::string& name, Id file_type, Id mem_type,
                       const Dataspace& space, const void* data) const;
  void write_string_attribute(const std::string& name, std::string_view value) const;
  // Reads a string attribute (fixed or variable length), or nullopt if absent.
  std::optional<std::string> read_string_attribute(const std::string& name) const;

 protected:
  explicit Location(Id id) : id_(id) {}
  Id id_;
};

// The name of the file holding object `obj` (H5Fget_name) and a path to `obj`
// in it (H5Iget_name); "" where HDF5 has none (an anonymous object) or fails.
// Never throw.
std::string file_name_of(Id obj);
std::string path_of(Id obj);

}  // namespace h5dig::h5

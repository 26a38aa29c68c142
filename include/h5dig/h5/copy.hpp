// Walking a file's links and copying what h5dig does not rewrite itself:
// attributes, links (hard, soft, external) and whole objects (H5Ocopy), for
// `repack` of a whole file.
#pragma once

#include <string>
#include <vector>

#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

// (Not h5::LinkEntry of describe.hpp: two structs of one name in one namespace
// break the One Definition Rule, and the linker mixes their destructors.)
struct GroupLink {
  std::string name;
  LinkType link_type = LinkType::hard;
  ObjectType object_type = ObjectType::unknown;  // hard links only
  Address address = kUndefinedAddress;              // hard links only: identity of the object
  std::string soft_target;                    // soft links
  std::string external_file, external_object; // external links
};

// The links of `group`, in the order HDF5 lists them (creation order when the
// group tracks it, else by name), as h5ls and h5repack see them.
std::vector<GroupLink> list_links(const Group& group);

// Copies every attribute of `src` onto `dst` (same names, types and values,
// variable-length data included).
void copy_attributes(const Location& src, const Location& dst);

// H5Ocopy of `src_name` under `src` to `dst_name` under `dst` (whole object, as stored).
void copy_object(const Group& src, const std::string& src_name, const Group& dst, const std::string& dst_name);

// Creates a group keeping the source group's creation properties (link order).
Group create_group_like(const Group& src_group, const Group& parent, const std::string& name);

void create_hard_link(const Group& target_base, const std::string& target_path, const Group& parent,
                      const std::string& name);
void create_soft_link(const std::string& target, const Group& parent, const std::string& name);
void create_external_link(const std::string& file, const std::string& object, const Group& parent,
                          const std::string& name);

// Whether a dataset's elements are fixed-size bytes h5dig can chunk and filter
// itself (no variable-length data or references anywhere in the type).
bool is_fixed_size_type(const Datatype& type);

}  // namespace h5dig::h5

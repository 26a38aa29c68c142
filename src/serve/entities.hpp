// Private to serve/: the entities of an HDF5 file as h5grove names them
// (group, dataset, datatype, soft_link, external_link), their metadata
// (/meta), attribute values (/attr) and link paths (/paths), from the
// library's descriptions (h5/describe.hpp). Everything here enters HDF5: call
// it under the server's HDF5 lock.
//
// External links are never followed: a path is resolved one link at a time,
// soft links by their target text, so HDF5 never traverses an external link on
// the server's behalf.
#pragma once

#include <string>
#include <vector>

#include "h5dig/h5/describe.hpp"

namespace h5dig::serve {

enum class ResolveLinks { only_valid, none, all };

struct Entity {
  enum class Kind { group, dataset, datatype, soft_link, external_link, other };
  Kind kind = Kind::other;
  std::string name;         // the link's name ("" for the root)
  std::string object_path;  // objects: a path made of hard links only
  std::string target_path;  // soft and external links
  std::string target_file;  // external links
};

// The entity at `path` in `file` (served as `served`). Throws ApiError 404
// "PATH is not a valid path in SERVED", or "Cannot resolve soft link ..." with
// ResolveLinks::all.
Entity resolve_entity(h5::Id file, const std::string& path, ResolveLinks links, const std::string& served);

// /meta: the entity's metadata as JSON text (children one level deep for a group).
std::string entity_metadata(h5::Id file, const Entity& entity, const std::string& served);

// /attr: {name: value} for all attributes, or only `keys` (404 for a missing one).
std::string attribute_values(h5::Id file, const Entity& entity, const std::vector<std::string>& keys);

// /paths: the group and every link below it, pre-order by name.
std::string link_paths(h5::Id file, const Entity& entity, const std::string& path);

// h5py's numpy dtype for a type, as `dtype.str` ('<u2', '|S5', '|O'); a
// compound that is not a complex pair gives "" (see type_json).
std::string h5py_dtype_str(const h5::TypeDesc& type);
// Whether h5py maps the type to a complex number ({r, i} of one float type).
bool is_complex(const h5::TypeDesc& type);
// Whether h5py maps it to numpy's bool (the FALSE/TRUE enum).
bool is_bool(const h5::TypeDesc& type);

}  // namespace h5dig::serve

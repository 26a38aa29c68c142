// The `FILE[/OBJECT]` convention of h5ls: the argument is split at the longest
// prefix that names an existing file; the rest is the object path inside it.
#pragma once

#include <string>
#include <string_view>

namespace h5dig {

struct ObjectPath {
  std::string file;    // path of the file on disk, as given
  std::string object;  // object path inside the file, without a leading '/'; "" = root
};

// Splits `arg`. Throws Error(io) "ARG: no such file" when no prefix is an
// existing file. Thread-safe.
ObjectPath split_object_path(std::string_view arg);

// An object path inside a file as HDF5 names it: "/" first, no trailing "/"
// ("a/b/" -> "/a/b", "" -> "/"). Callers that take h5py-style names (the
// Python module) pass them through this once.
std::string absolute_object_path(std::string_view path);

}  // namespace h5dig

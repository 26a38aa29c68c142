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

}  // namespace h5dig

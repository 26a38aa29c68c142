#include "h5dig/object_path.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "h5dig/error.hpp"

namespace h5dig {

namespace {
bool is_existing_non_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}
}  // namespace

ObjectPath split_object_path(std::string_view arg) {
  std::string full(arg);
  // Try the whole argument first, then cut at each '/' from the right, as h5ls does.
  std::size_t cut = full.size();
  while (true) {
    std::string candidate = full.substr(0, cut);
    if (!candidate.empty() && is_existing_non_directory(candidate)) {
      std::string object = cut < full.size() ? full.substr(cut) : "";
      while (!object.empty() && object.front() == '/') object.erase(object.begin());
      return {candidate, object};
    }
    if (cut == 0) break;
    std::size_t slash = full.rfind('/', cut - 1);
    if (slash == std::string::npos || slash == 0) break;
    cut = slash;
  }
  struct stat st {};
  if (::stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(ErrorKind::io, fmt::format("{}: is a directory, not an HDF5 file", full));
  throw Error(ErrorKind::io, fmt::format("{}: no such file", full));
}

std::string absolute_object_path(std::string_view path) {
  std::string p(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty() || p[0] != '/') p.insert(p.begin(), '/');
  return p;
}

}  // namespace h5dig

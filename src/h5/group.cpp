#include "h5dig/h5/group.hpp"

#include "h5/hdf5.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::h5 {

Group Group::open_group(const std::string& path) const {
  return Group(check_id(H5Gopen2(id(), path.c_str(), H5P_DEFAULT), "H5Gopen2"));
}

Group Group::create_group(const std::string& path) const {
  return Group(check_id(H5Gcreate2(id(), path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2"));
}

Dataset Group::open_dataset(const std::string& path) const {
  util::breadcrumb_object(path);
  return Dataset(check_id(H5Dopen2(id(), path.c_str(), H5P_DEFAULT), "H5Dopen2"));
}

bool Group::exists(const std::string& path) const {
  if (path.empty() || path == "/" || path == ".") return true;
  // H5Lexists fails if an intermediate component is missing, so walk the path
  // one component at a time; the last one must also resolve to an object.
  std::string prefix = path.front() == '/' ? "/" : "";
  std::size_t pos = path.front() == '/' ? 1 : 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (!part.empty()) {
      prefix += part;
      htri_t link = H5Lexists(id(), prefix.c_str(), H5P_DEFAULT);
      if (link <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      htri_t obj = H5Oexists_by_name(id(), prefix.c_str(), H5P_DEFAULT);
      if (obj <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      prefix += "/";
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return true;
}

ObjectType Group::object_type(const std::string& path) const {
  H5O_info_t info;
  check(H5Oget_info_by_name2(id(), path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "H5Oget_info_by_name2");
  return ours(info.type);
}

}  // namespace h5dig::h5

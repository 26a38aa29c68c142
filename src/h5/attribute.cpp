#include "h5dig/h5/attribute.hpp"

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

std::string Attribute::name() const {
  ssize_t n = H5Aget_name(id(), 0, nullptr);
  if (n < 0) throw_call_failed("H5Aget_name");
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  check(static_cast<herr_t>(H5Aget_name(id(), s.size(), s.data()) < 0 ? -1 : 0), "H5Aget_name");
  s.resize(static_cast<std::size_t>(n));
  return s;
}

Dataspace Attribute::space() const { return Dataspace(check_id(H5Aget_space(id()), "H5Aget_space")); }
Datatype Attribute::type() const { return Datatype(check_id(H5Aget_type(id()), "H5Aget_type")); }
void Attribute::read(hid_t mem_type, void* out) const { check(H5Aread(id(), mem_type, out), "H5Aread"); }

}  // namespace h5dig::h5

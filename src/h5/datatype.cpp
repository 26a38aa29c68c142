#include "h5dig/h5/datatype.hpp"

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

Datatype Datatype::copy_of(hid_t predefined) { return Datatype(check_id(H5Tcopy(predefined), "H5Tcopy")); }

TypeClass Datatype::type_class() const {
  H5T_class_t c = H5Tget_class(id());
  if (c == H5T_NO_CLASS) throw_call_failed("H5Tget_class");
  return ours(c);
}

std::size_t Datatype::size() const {
  std::size_t s = H5Tget_size(id());
  if (s == 0) throw_call_failed("H5Tget_size");
  return s;
}

ByteOrder Datatype::order() const { return ours(H5Tget_order(id())); }

bool Datatype::equals(hid_t other) const { return check_tri(H5Tequal(id(), other), "H5Tequal"); }

bool Datatype::is_signed() const { return H5Tget_sign(id()) != H5T_SGN_NONE; }

bool Datatype::is_variable_string() const {
  return type_class() == H5T_STRING && check_tri(H5Tis_variable_str(id()), "H5Tis_variable_str");
}

Datatype Datatype::native() const {
  return Datatype(check_id(H5Tget_native_type(id(), H5T_DIR_ASCEND), "H5Tget_native_type"));
}

std::size_t type_size_or_zero(hid_t type) noexcept {
  std::size_t size = H5Tget_size(type);
  if (size == 0) H5Eclear2(H5E_DEFAULT);
  return size;
}

}  // namespace h5dig::h5

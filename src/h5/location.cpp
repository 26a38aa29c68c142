#include "h5dig/h5/location.hpp"

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

std::size_t Location::attribute_count() const {
  H5O_info_t info;
  check(H5Oget_info2(id_, &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2");
  return static_cast<std::size_t>(info.num_attrs);
}

Attribute Location::open_attribute(const std::string& name) const {
  return Attribute(check_id(H5Aopen(id_, name.c_str(), H5P_DEFAULT), "H5Aopen"));
}

Attribute Location::open_attribute(std::size_t index) const {
  return Attribute(check_id(H5Aopen_by_idx(id_, ".", H5_INDEX_NAME, H5_ITER_INC, index, H5P_DEFAULT, H5P_DEFAULT),
                            "H5Aopen_by_idx"));
}

bool Location::has_attribute(const std::string& name) const {
  return check_tri(H5Aexists(id_, name.c_str()), "H5Aexists");
}

void Location::write_attribute(const std::string& name, hid_t file_type, hid_t mem_type, const Dataspace& space,
                               const void* data) const {
  AttributeId attr(check_id(H5Acreate2(id_, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                            "H5Acreate2"));
  check(H5Awrite(attr.get(), mem_type, data), "H5Awrite");
}

void Location::write_string_attribute(const std::string& name, std::string_view value) const {
  // Fixed-length, null-padded UTF-8 of the exact length: readable by h5py as bytes
  // and by h5ls; an empty string still needs a 1-byte type.
  Datatype type = Datatype::copy_of(H5T_C_S1);
  check(H5Tset_size(type.id(), value.empty() ? 1 : value.size()), "H5Tset_size");
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  std::string buffer(value);
  if (buffer.empty()) buffer.push_back('\0');
  write_attribute(name, type.id(), type.id(), Dataspace::scalar(), buffer.data());
}

std::optional<std::string> Location::read_string_attribute(const std::string& name) const {
  if (!has_attribute(name)) return std::nullopt;
  Attribute attr = open_attribute(name);
  Datatype type = attr.type();
  if (type.type_class() != H5T_STRING) {
    throw Error(ErrorKind::corrupt, fmt::format("attribute {} is not a string", name));
  }
  if (type.is_variable_string()) {
    char* value = nullptr;
    attr.read(type.id(), &value);
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
  }
  std::string out(type.size(), '\0');
  attr.read(type.id(), out.data());
  // Null-padded and null-terminated strings end at the first NUL.
  if (auto nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
  return out;
}


namespace {
// H5Fget_name / H5Iget_name: the length first, then the characters.
template <typename NameFn>
std::string name_by(NameFn fn, hid_t obj) {
  ssize_t n = fn(obj, nullptr, 0);
  if (n <= 0) return {};
  std::string name(static_cast<std::size_t>(n), '\0');
  fn(obj, name.data(), name.size() + 1);
  return name;
}
}  // namespace

std::string file_name_of(hid_t obj) { return name_by(H5Fget_name, obj); }
std::string path_of(hid_t obj) { return name_by(H5Iget_name, obj); }

}  // namespace h5dig::h5

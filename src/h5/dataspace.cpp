#include "h5dig/h5/dataspace.hpp"

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

Dataspace Dataspace::scalar() { return Dataspace(check_id(H5Screate(H5S_SCALAR), "H5Screate")); }

Dataspace Dataspace::simple(std::span<const hsize_t> dims) {
  return Dataspace(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"));
}

Dataspace Dataspace::simple(std::span<const hsize_t> dims, std::span<const hsize_t> maxdims) {
  return Dataspace(
      check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()), "H5Screate_simple"));
}

SpaceClass Dataspace::kind() const {
  H5S_class_t k = H5Sget_simple_extent_type(id());
  if (k == H5S_NO_CLASS) throw_call_failed("H5Sget_simple_extent_type");
  return ours(k);
}

int Dataspace::rank() const { return check(H5Sget_simple_extent_ndims(id()), "H5Sget_simple_extent_ndims"); }

std::vector<hsize_t> Dataspace::dims() const {
  std::vector<hsize_t> d(static_cast<std::size_t>(rank()));
  check(H5Sget_simple_extent_dims(id(), d.data(), nullptr), "H5Sget_simple_extent_dims");
  return d;
}

std::vector<hsize_t> Dataspace::maxdims() const {
  std::vector<hsize_t> d(static_cast<std::size_t>(rank()));
  check(H5Sget_simple_extent_dims(id(), nullptr, d.data()), "H5Sget_simple_extent_dims");
  return d;
}

std::uint64_t Dataspace::element_count() const {
  hssize_t n = H5Sget_select_npoints(id());
  if (n < 0) throw_call_failed("H5Sget_select_npoints");
  return static_cast<std::uint64_t>(n);
}

void Dataspace::select_all() { check(H5Sselect_all(id()), "H5Sselect_all"); }

void Dataspace::select_hyperslab(std::span<const hsize_t> start, std::span<const hsize_t> count,
                                 std::span<const hsize_t> stride) {
  check(H5Sselect_hyperslab(id(), H5S_SELECT_SET, start.data(), stride.empty() ? nullptr : stride.data(),
                            count.data(), nullptr),
        "H5Sselect_hyperslab");
}

}  // namespace h5dig::h5

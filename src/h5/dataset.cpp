#include "h5dig/h5/dataset.hpp"

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

Dataspace Dataset::space() const { return Dataspace(check_id(H5Dget_space(id()), "H5Dget_space")); }
Datatype Dataset::type() const { return Datatype(check_id(H5Dget_type(id()), "H5Dget_type")); }
PropList Dataset::create_plist() const { return PropList(check_id(H5Dget_create_plist(id()), "H5Dget_create_plist")); }

Layout Dataset::layout() const {
  PropList dcpl = create_plist();
  H5D_layout_t l = H5Pget_layout(dcpl.id());
  if (l < 0) throw_call_failed("H5Pget_layout");
  return ours(l);
}

std::vector<hsize_t> Dataset::chunk_dims() const {
  PropList dcpl = create_plist();
  if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return {};
  int rank = check(H5Pget_chunk(dcpl.id(), 0, nullptr), "H5Pget_chunk");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Pget_chunk(dcpl.id(), rank, dims.data()), "H5Pget_chunk");
  return dims;
}

haddr_t Dataset::header_address() const {
  H5O_info_t info;
  check(H5Oget_info2(id(), &info, H5O_INFO_BASIC), "H5Oget_info2");
  return info.addr;
}

hsize_t Dataset::storage_size() const {
  // H5Dget_storage_size returns 0 both for "nothing allocated" and on error;
  // HDF5 1.10 offers no way to tell them apart, so 0 is taken at its word.
  return H5Dget_storage_size(id());
}

haddr_t Dataset::contiguous_offset() const { return H5Dget_offset(id()); }

std::string Dataset::name() const {
  ssize_t n = H5Iget_name(id(), nullptr, 0);
  if (n < 0) throw_call_failed("H5Iget_name");
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  H5Iget_name(id(), s.data(), s.size());
  s.resize(static_cast<std::size_t>(n));
  return s;
}

void Dataset::read(hid_t mem_type, hid_t mem_space, hid_t file_space, void* out) const {
  util::heartbeat();
  check(H5Dread(id(), mem_type, mem_space, file_space, H5P_DEFAULT, out), "H5Dread");
}

void Dataset::write(hid_t mem_type, hid_t mem_space, hid_t file_space, const void* in) const {
  check(H5Dwrite(id(), mem_type, mem_space, file_space, H5P_DEFAULT, in), "H5Dwrite");
}

void Dataset::set_extent(std::span<const hsize_t> dims) const { check(H5Dset_extent(id(), dims.data()), "H5Dset_extent"); }

hsize_t Dataset::chunk_storage_size(std::span<const hsize_t> offset) const {
  hsize_t n = 0;
  check(H5Dget_chunk_storage_size(id(), offset.data(), &n), "H5Dget_chunk_storage_size");
  return n;
}

void Dataset::read_chunk(std::span<const hsize_t> offset, std::uint32_t& filter_mask,
                         std::vector<std::byte>& out) const {
  util::heartbeat();
  out.resize(chunk_storage_size(offset));
  check(H5Dread_chunk(id(), H5P_DEFAULT, offset.data(), &filter_mask, out.data()), "H5Dread_chunk");
}

void Dataset::write_chunk(std::span<const hsize_t> offset, std::uint32_t filter_mask,
                          std::span<const std::byte> data) const {
  check(H5Dwrite_chunk(id(), H5P_DEFAULT, filter_mask, offset.data(), data.size(), data.data()), "H5Dwrite_chunk");
}

}  // namespace h5dig::h5

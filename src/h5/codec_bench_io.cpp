#include "h5dig/h5/codec_bench_io.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include "h5dig/h5/filters.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5::codec_bench {

namespace {

hid_t native_uint(std::size_t es) {
  switch (es) {
    case 1: return H5T_NATIVE_UINT8;
    case 2: return H5T_NATIVE_UINT16;
    case 4: return H5T_NATIVE_UINT32;
    default: return H5T_NATIVE_UINT64;
  }
}

}  // namespace

bool filter_available(unsigned filter_id) {
  init();
  htri_t a = H5Zfilter_avail(static_cast<H5Z_filter_t>(filter_id));
  if (a <= 0) return false;
  unsigned config = 0;
  if (H5Zget_filter_info(static_cast<H5Z_filter_t>(filter_id), &config) < 0) return false;
  return (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) && (config & H5Z_FILTER_CONFIG_DECODE_ENABLED);
}

std::size_t write_through_hdf5(const std::filesystem::path& path, const std::vector<codec::FilterSpec>& filters,
                               std::size_t element_size, std::size_t chunk_bytes, std::span<const std::byte> data) {
  init();
  auto file = File::create(path);
  const hsize_t n = data.size() / element_size;
  const hsize_t chunk = chunk_bytes / element_size;
  auto space = Dataspace::simple(std::span<const hsize_t>(&n, 1));
  auto dcpl = PropList::create(H5P_DATASET_CREATE);
  check(H5Pset_chunk(dcpl.id(), 1, &chunk), "H5Pset_chunk");
  write_filter_specs(dcpl, filters);
  hid_t type = native_uint(element_size);
  DatasetId dset(check_id(H5Dcreate2(file.id(), "data", type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                          "H5Dcreate2(data)"));
  check(H5Dwrite(dset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dwrite");
  hsize_t stored = H5Dget_storage_size(dset.get());
  dset.reset();
  file.close();
  return static_cast<std::size_t>(stored);
}

void read_through_hdf5(const std::filesystem::path& path, std::size_t element_size, std::span<std::byte> out) {
  init();
  auto file = File::open(path);
  auto dset = file.root().open_dataset("data");
  dset.read(native_uint(element_size), H5S_ALL, H5S_ALL, out.data());
}

}  // namespace h5dig::h5::codec_bench

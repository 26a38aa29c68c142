#include "h5dig/h5/create.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include "h5dig/h5/filters.hpp"

namespace h5dig::h5 {

Dataset create_chunked_dataset(const Group& parent, const ChunkedCreate& spec) {
  init();
  const std::vector<hsize_t>& maxdims = spec.maxdims.empty() ? spec.dims : spec.maxdims;
  if (maxdims.size() != spec.dims.size() || spec.chunks.size() != spec.dims.size())
    throw_usage(fmt::format("{}: rank mismatch between shape, maxshape and chunks", spec.name));
  Dataspace space = Dataspace::simple(spec.dims, maxdims);
  PropList dcpl = PropList::create(H5P_DATASET_CREATE);
  check(H5Pset_chunk(dcpl.id(), static_cast<int>(spec.chunks.size()), spec.chunks.data()), "H5Pset_chunk");
  // h5py: "prevent resize glitch" — chunks are allocated when written.
  check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_ALLOC), "H5Pset_fill_time");
  if (!spec.fill_value.empty())
    check(H5Pset_fill_value(dcpl.id(), spec.file_type, spec.fill_value.data()), "H5Pset_fill_value");
  check(H5Pset_obj_track_times(dcpl.id(), spec.track_times ? 1 : 0), "H5Pset_obj_track_times");
  // A loaded bitshuffle plugin's set_local prepends {major, minor, element
  // size} to the user's {block size, compression}: give it only those, so the
  // file records what h5py + the plugin record. Without the plugin the stub
  // has no set_local and the resolved five values are recorded as given.
  std::vector<codec::FilterSpec> filters = spec.filters;
  for (auto& f : filters)
    if (f.id == codec::kBitshuffleId && f.cd_values.size() >= 5 && filter_has_plugin(f.id))
      f.cd_values = {f.cd_values[3], f.cd_values[4]};
  write_filter_specs(dcpl, filters);
  PropList lcpl = PropList::create(H5P_LINK_CREATE);
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "H5Pset_create_intermediate_group");
  PropList dapl = PropList::create(H5P_DATASET_ACCESS);
  if (spec.cache_bytes != 0 || spec.cache_slots != 0) {
    check(H5Pset_chunk_cache(dapl.id(), spec.cache_slots ? spec.cache_slots : H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
                             spec.cache_bytes ? spec.cache_bytes : H5D_CHUNK_CACHE_NBYTES_DEFAULT,
                             H5D_CHUNK_CACHE_W0_DEFAULT),
          "H5Pset_chunk_cache");
  }
  hid_t id = H5Dcreate2(parent.id(), spec.name.c_str(), spec.file_type, space.id(), lcpl.id(), dcpl.id(), dapl.id());
  if (id < 0) {
    std::string stack = error_stack_message();
    throw Error(ErrorKind::io, fmt::format("cannot create dataset {}: {}", spec.name, stack));
  }
  return Dataset(id);
}

Dataset open_dataset_with_cache(const Group& parent, const std::string& path, std::size_t bytes, std::size_t slots) {
  PropList dapl = PropList::create(H5P_DATASET_ACCESS);
  check(H5Pset_chunk_cache(dapl.id(), slots, bytes, H5D_CHUNK_CACHE_W0_DEFAULT), "H5Pset_chunk_cache");
  return Dataset(check_id(H5Dopen2(parent.id(), path.c_str(), dapl.id()), "H5Dopen2"));
}

std::vector<std::byte> fill_value_bytes(const Dataset& dataset) {
  PropList dcpl = dataset.create_plist();
  H5D_fill_value_t status{};
  check(H5Pfill_value_defined(dcpl.id(), &status), "H5Pfill_value_defined");
  if (status != H5D_FILL_VALUE_USER_DEFINED) return {};
  Datatype type = dataset.type();
  std::vector<std::byte> out(type.size());
  check(H5Pget_fill_value(dcpl.id(), type.id(), out.data()), "H5Pget_fill_value");
  return out;
}

bool tracks_times(const Dataset& dataset) {
  PropList dcpl = dataset.create_plist();
  hbool_t track = 0;
  check(H5Pget_obj_track_times(dcpl.id(), &track), "H5Pget_obj_track_times");
  return track != 0;
}

std::size_t next_prime(std::size_t n) {
  auto is_prime = [](std::size_t v) {
    if (v < 2) return false;
    for (std::size_t d = 2; d * d <= v; ++d)
      if (v % d == 0) return false;
    return true;
  };
  while (!is_prime(n)) ++n;
  return n;
}

}  // namespace h5dig::h5

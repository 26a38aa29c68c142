#include "h5dig/h5/archive.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

namespace h5dig::h5 {

namespace {

// Link creation property list: names are stored as UTF-8 when they are valid
// UTF-8 (what h5py does for str names), else as ASCII-tagged bytes. HDF5
// itself stores the bytes verbatim either way.
bool valid_utf8(const std::string& s) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += len;
  }
  return true;
}

// The two property lists live as long as the library: HDF5 closes them in its
// own atexit shutdown. (Closing them from a static destructor would run after
// that shutdown and make HDF5 print "can't close".) HDF5 is entered from one
// thread at a time, so the lazy creation needs no lock beyond the static's.
hid_t lcpl_for(const std::string& name) {
  static const hid_t utf8 = [] {
    init();
    hid_t p = check_id(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate");
    check(H5Pset_char_encoding(p, H5T_CSET_UTF8), "H5Pset_char_encoding");
    return p;
  }();
  return valid_utf8(name) ? utf8 : H5P_DEFAULT;
}

}  // namespace

ObjectIdentity object_identity(const Location& loc) {
  H5O_info_t info;
  check(H5Oget_info2(loc.id(), &info, H5O_INFO_BASIC), "H5Oget_info2");
  return {ours(info.type), info.addr, info.rc};
}

Group create_child_group(const Group& parent, const std::string& name) {
  return Group(check_id(H5Gcreate2(parent.id(), name.c_str(), lcpl_for(name), H5P_DEFAULT, H5P_DEFAULT),
                        "H5Gcreate2"));
}

Group open_child_group(const Group& parent, const std::string& name) {
  return Group(check_id(H5Gopen2(parent.id(), name.c_str(), H5P_DEFAULT), "H5Gopen2"));
}

Dataset open_child_dataset(const Group& parent, const std::string& name) {
  return Dataset(check_id(H5Dopen2(parent.id(), name.c_str(), H5P_DEFAULT), "H5Dopen2"));
}

Dataset create_byte_dataset(const Group& parent, const std::string& name, hsize_t size, const PropList& dcpl) {
  hsize_t dims[1] = {size};
  Dataspace space = Dataspace::simple(std::span<const hsize_t>(dims, 1));
  return Dataset(check_id(H5Dcreate2(parent.id(), name.c_str(), H5T_STD_U8LE, space.id(), lcpl_for(name),
                                     dcpl.id(), H5P_DEFAULT),
                          "H5Dcreate2"));
}

void make_soft_link(const Group& parent, const std::string& name, const std::string& target) {
  check(H5Lcreate_soft(target.c_str(), parent.id(), name.c_str(), lcpl_for(name), H5P_DEFAULT),
        "H5Lcreate_soft");
}

void make_hard_link(const File& file, const std::string& existing, const Group& parent, const std::string& name) {
  check(H5Lcreate_hard(file.id(), existing.c_str(), parent.id(), name.c_str(), lcpl_for(name), H5P_DEFAULT),
        "H5Lcreate_hard");
}

void delete_link(const Group& parent, const std::string& name) {
  check(H5Ldelete(parent.id(), name.c_str(), H5P_DEFAULT), "H5Ldelete");
}

void write_u32_attribute(const Location& loc, const std::string& name, std::uint32_t value) {
  loc.write_attribute(name, H5T_STD_U32LE, H5T_NATIVE_UINT32, Dataspace::scalar(), &value);
}

void write_i64_attribute(const Location& loc, const std::string& name, std::int64_t value) {
  loc.write_attribute(name, H5T_STD_I64LE, H5T_NATIVE_INT64, Dataspace::scalar(), &value);
}

std::optional<std::int64_t> read_int_attribute(const Location& loc, const std::string& name) {
  htri_t exists = H5Aexists(loc.id(), name.c_str());
  if (exists <= 0) {
    if (exists < 0) error_stack_message();
    return std::nullopt;
  }
  Attribute attr = loc.open_attribute(name);
  Datatype type = attr.type();
  if (type.type_class() != H5T_INTEGER) return std::nullopt;
  Dataspace space = attr.space();
  if (space.kind() == H5S_NULL || H5Sget_simple_extent_npoints(space.id()) != 1) return std::nullopt;
  // Unsigned 64-bit values above INT64_MAX do not occur for mode/mtime/crc32.
  std::int64_t value = 0;
  if (H5Tget_sign(type.id()) == H5T_SGN_NONE) {
    std::uint64_t u = 0;
    attr.read(H5T_NATIVE_UINT64, &u);
    value = static_cast<std::int64_t>(u);
  } else {
    attr.read(H5T_NATIVE_INT64, &value);
  }
  return value;
}

void delete_attribute(const Location& loc, const std::string& name) {
  if (check_tri(H5Aexists(loc.id(), name.c_str()), "H5Aexists")) check(H5Adelete(loc.id(), name.c_str()), "H5Adelete");
}

PropList archive_file_access_plist() {
  PropList fapl = PropList::create(H5P_FILE_ACCESS);
  // 1.10 format: single-chunk / fixed-array indexes instead of one v1 B-tree
  // node (~2 kB) per chunked dataset. h5py and h5ls 1.10 read it.
  check(H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds");
  // Aggregate metadata in larger blocks: fewer, larger writes for thousands of
  // object headers.
  check(H5Pset_meta_block_size(fapl.id(), 64 * 1024), "H5Pset_meta_block_size");
  check(H5Pset_small_data_block_size(fapl.id(), 64 * 1024), "H5Pset_small_data_block_size");
  // Metadata cache: no eviction churn while thousands of objects are created.
  H5AC_cache_config_t config;
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.id(), &config), "H5Pget_mdc_config");
  config.set_initial_size = true;
  config.initial_size = 16 * 1024 * 1024;
  config.max_size = 64 * 1024 * 1024;
  config.min_size = 4 * 1024 * 1024;
  check(H5Pset_mdc_config(fapl.id(), &config), "H5Pset_mdc_config");
  return fapl;
}

PropList archive_file_create_plist() { return PropList::create(H5P_FILE_CREATE); }

PropList archive_dataset_plist(hsize_t chunk, int level) {
  PropList dcpl = PropList::create(H5P_DATASET_CREATE);
  hsize_t dims[1] = {chunk};
  check(H5Pset_chunk(dcpl.id(), 1, dims), "H5Pset_chunk");
  if (level > 0) check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(level)), "H5Pset_deflate");
  check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  check(H5Pset_alloc_time(dcpl.id(), H5D_ALLOC_TIME_INCR), "H5Pset_alloc_time");
  // No modification-time message in each object header (h5py's default too).
  check(H5Pset_obj_track_times(dcpl.id(), 0), "H5Pset_obj_track_times");
  return dcpl;
}

PropList empty_dataset_plist() {
  PropList dcpl = PropList::create(H5P_DATASET_CREATE);
  check(H5Pset_layout(dcpl.id(), H5D_CONTIGUOUS), "H5Pset_layout");
  check(H5Pset_obj_track_times(dcpl.id(), 0), "H5Pset_obj_track_times");
  check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  return dcpl;
}

ByteDatasetLayout byte_dataset_layout(const Dataset& ds) {
  ByteDatasetLayout out;
  PropList dcpl = ds.create_plist();
  out.layout = ours(H5Pget_layout(dcpl.id()));
  Dataspace space = ds.space();
  if (space.kind() != H5S_SIMPLE) {
    out.rank = space.kind() == H5S_SCALAR ? 0 : -1;
  } else {
    out.rank = space.rank();
    if (out.rank == 1) out.size = space.dims()[0];
  }
  Datatype type = ds.type();
  out.element_size = type.size();
  out.integer_type = type.type_class() == H5T_INTEGER;
  if (out.layout == H5D_CHUNKED && out.rank == 1) {
    hsize_t c[1] = {0};
    check(H5Pget_chunk(dcpl.id(), 1, c), "H5Pget_chunk");
    out.chunk = c[0];
  }
  return out;
}

void read_byte_range(const Dataset& ds, hsize_t start, hsize_t count, void* out) {
  if (count == 0) return;
  Dataspace file_space = ds.space();
  hsize_t s[1] = {start}, c[1] = {count};
  file_space.select_hyperslab(std::span<const hsize_t>(s, 1), std::span<const hsize_t>(c, 1));
  Dataspace mem_space = Dataspace::simple(std::span<const hsize_t>(c, 1));
  ds.read(H5T_NATIVE_UCHAR, mem_space.id(), file_space.id(), out);
}

}  // namespace h5dig::h5

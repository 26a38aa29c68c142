#include "h5dig/h5/chunk_info.hpp"

namespace h5dig::h5 {

namespace {
// The file a dataset lives in (H5Iget_file_id hands back a new reference).
FileId file_of(const Dataset& dataset) { return FileId(check_id(H5Iget_file_id(dataset.id()), "H5Iget_file_id")); }
}  // namespace

hsize_t num_chunks(const Dataset& dataset) {
  hsize_t n = 0;
  auto space = dataset.space();
  check(H5Dget_num_chunks(dataset.id(), space.id(), &n), "H5Dget_num_chunks");
  return n;
}

ChunkInfo chunk_info(const Dataset& dataset, hsize_t index) {
  auto space = dataset.space();
  ChunkInfo info;
  info.offset.resize(static_cast<std::size_t>(space.rank()));
  check(H5Dget_chunk_info(dataset.id(), space.id(), index, info.offset.data(), &info.filter_mask, &info.address,
                          &info.size),
        "H5Dget_chunk_info");
  return info;
}

std::uint64_t userblock_size(const Dataset& dataset) {
  auto file = file_of(dataset);
  PropList fcpl(check_id(H5Fget_create_plist(file.get()), "H5Fget_create_plist"));
  hsize_t size = 0;
  check(H5Pget_userblock(fcpl.id(), &size), "H5Pget_userblock");
  return size;
}

std::string file_name(const Dataset& dataset) {
  ssize_t n = H5Fget_name(dataset.id(), nullptr, 0);
  if (n < 0) check(-1, "H5Fget_name");
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  check(static_cast<herr_t>(H5Fget_name(dataset.id(), name.data(), name.size()) < 0 ? -1 : 0), "H5Fget_name");
  name.resize(static_cast<std::size_t>(n));
  return name;
}

void flush_if_writable(const Dataset& dataset) {
  auto file = file_of(dataset);
  unsigned intent = 0;
  check(H5Fget_intent(file.get(), &intent), "H5Fget_intent");
  if (intent & H5F_ACC_RDWR) check(H5Fflush(file.get(), H5F_SCOPE_LOCAL), "H5Fflush");
}

Dataset borrow_dataset(hid_t id) {
  check(H5Iinc_ref(id), "H5Iinc_ref");
  return Dataset(id);
}

}  // namespace h5dig::h5

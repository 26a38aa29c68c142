#include "h5dig/h5/chunk_info.hpp"

#include "h5/hdf5.hpp"

#include <algorithm>
#include <vector>

namespace h5dig::h5 {

namespace {
// The file a dataset lives in (H5Iget_file_id hands back a new reference).
FileId file_of(const Dataset& dataset) { return FileId(check_id(H5Iget_file_id(dataset.id()), "H5Iget_file_id")); }
}  // namespace

void visit_chunks(const Dataset& dataset, std::uint64_t base, ChunkQuery query, const format::ChunkVisitor& visit) {
  const bool strict = query == ChunkQuery::strict;
  // HDF5 1.10.8 rejects H5S_ALL here ("Inappropriate type"): pass the space.
  DataspaceId space(H5Dget_space(dataset.id()));
  if (!space) {
    if (strict) check(-1, "H5Dget_space");
    H5Eclear2(H5E_DEFAULT);
    return;
  }
  hsize_t n = 0;
  if (H5Dget_num_chunks(dataset.id(), space.get(), &n) < 0) {
    if (strict) check(-1, "H5Dget_num_chunks");
    H5Eclear2(H5E_DEFAULT);
    return;
  }
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) {
    if (strict) check(-1, "H5Sget_simple_extent_ndims");
    H5Eclear2(H5E_DEFAULT);
    rank = 0;
  }
  std::vector<hsize_t> off(static_cast<std::size_t>(std::max(rank, 1)));
  std::vector<std::uint64_t> offset(static_cast<std::size_t>(std::max(rank, 0)));
  for (hsize_t i = 0; i < n; ++i) {
    unsigned mask = 0;
    haddr_t address = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info(dataset.id(), space.get(), i, off.data(), &mask, &address, &size) < 0) {
      if (strict) check(-1, "H5Dget_chunk_info");
      H5Eclear2(H5E_DEFAULT);
      continue;
    }
    if (strict && address == HADDR_UNDEF) continue;
    std::copy_n(off.begin(), offset.size(), offset.begin());
    // Unsigned arithmetic: an undefined address passed on leniently comes back
    // as itself when the reader takes `base` off again (ls -v prints HDF5's own).
    visit(offset, format::ChunkRecord{base + address, size, mask});
  }
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

// Every mapped chunk, read at its byte offset with pread and decoded by h5dig's
// own codec Pipeline, holds the elements h5py wrote (compared with HDF5's read
// of the whole dataset), for every index kind, filtered and unfiltered.
#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <cstring>

#include "chunk/fixtures_py.hpp"
#include "h5dig/chunk/chunk_map.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/format/file_reader.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/h5/objects.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

void check_dataset(const std::filesystem::path& path, const h5::Group& root, const std::string& name) {
  SCOPED_TRACE(name);
  auto dset = root.open_dataset(name);
  auto map = chunk::map_chunks(dset, chunk::MapMethod::format);
  const std::size_t es = map.element_size();
  const auto& shape = map.dataset_shape();
  const auto& cshape = map.chunk_shape();
  const std::size_t rank = shape.size();
  std::uint64_t total = 1;
  for (auto s : shape) total *= s;
  std::vector<std::byte> whole(total * es);
  auto type = dset.type();
  dset.read(type.id(), H5S_ALL, H5S_ALL, whole.data());

  codec::Pipeline pipeline(h5::read_filter_specs(dset.create_plist()), es);
  codec::Workspace ws;
  format::FileReader file(path);
  std::vector<std::byte> stored, decoded(map.chunk_nbytes());
  std::vector<std::uint64_t> idx(rank);
  for (std::size_t i = 0; i < map.size(); ++i) {
    const auto& r = map.record(i);
    stored.resize(r.size);
    file.read(r.byte_offset, stored, "chunk");
    pipeline.decode(stored, decoded, r.filter_mask, ws);
    auto off = map.offset(i);
    // Walk the chunk's elements in C order; compare those inside the extent.
    std::fill(idx.begin(), idx.end(), 0);
    for (std::uint64_t e = 0; e < map.chunk_nbytes() / es; ++e) {
      bool inside = true;
      std::uint64_t linear = 0;
      for (std::size_t d = 0; d < rank; ++d) {
        const std::uint64_t g = off[d] + idx[d];
        inside = inside && g < shape[d];
        linear = linear * shape[d] + g;
      }
      if (inside) ASSERT_EQ(0, std::memcmp(decoded.data() + e * es, whole.data() + linear * es, es)) << "chunk " << i;
      for (std::size_t d = rank; d-- > 0;) {
        if (++idx[d] < cshape[d]) break;
        idx[d] = 0;
      }
    }
  }
}

TEST(ChunkDecode, MappedBytesDecodeToWhatH5pyWroteForEveryIndexKind) {
  for (const char* libver : {"default", "latest"}) {
    TempDir dir;
    auto path = dir / "chunks.h5";
    test::run_python(test::kChunkFixtureScript, {path.string(), libver, "512"});
    auto file = h5::File::open(path);
    auto root = file.root();
    for (const char* name : {"edge", "edge_gzip", "fletcher", "many_gzip", "sparse", "sparse_gzip", "ext", "ext_gzip",
                             "bt2", "bt2_gzip", "single", "single_gzip", "implicit", "attrs"})
      check_dataset(path, root, name);
  }
}

}  // namespace
}  // namespace h5dig

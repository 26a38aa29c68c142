#include "h5dig/chunk/chunk_map.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <cstring>
#include <algorithm>
#include <map>
#include <tuple>

#include "chunk/fixtures_py.hpp"
#include "h5dig/h5/chunk_info.hpp"
#include "h5dig/h5/objects.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

std::vector<std::byte> pread_bytes(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t size) {
  std::vector<std::byte> out(size);
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  ssize_t n = ::pread(fd, out.data(), out.size(), static_cast<off_t>(offset));
  ::close(fd);
  EXPECT_EQ(n, static_cast<ssize_t>(size));
  return out;
}

// Chunk-for-chunk equality of two maps (after sorting both by offset).
void expect_same_map(chunk::ChunkMap a, chunk::ChunkMap b, const std::string& what) {
  a.sort();
  b.sort();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  EXPECT_EQ(a.dataset_shape(), b.dataset_shape()) << what;
  EXPECT_EQ(a.chunk_shape(), b.chunk_shape()) << what;
  EXPECT_EQ(a.element_size(), b.element_size()) << what;
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto oa = a.offset(i), ob = b.offset(i);
    ASSERT_TRUE(std::equal(oa.begin(), oa.end(), ob.begin(), ob.end())) << what << " chunk " << i;
    EXPECT_EQ(a.record(i).byte_offset, b.record(i).byte_offset) << what << " chunk " << i;
    EXPECT_EQ(a.record(i).size, b.record(i).size) << what << " chunk " << i;
    EXPECT_EQ(a.record(i).filter_mask, b.record(i).filter_mask) << what << " chunk " << i;
  }
}

struct Fixture {
  std::string libver;
  int userblock;
  int address_bytes = 8;
};

// The set-up every test here shares: the fixture script writes the file for
// the test's parameter into a fresh TempDir, and the test reads it opened.
class ChunkMapFixtures : public ::testing::TestWithParam<Fixture> {
 protected:
  // Writes the fixture file for `fx` at `path`; returns `path`, to initialise path_.
  static std::filesystem::path make(const std::filesystem::path& path, const Fixture& fx) {
    test::run_python(test::kChunkFixtureScript,
                     {path.string(), fx.libver, std::to_string(fx.userblock), std::to_string(fx.address_bytes)});
    return path;
  }

  const Fixture fx_ = GetParam();
  TempDir dir_;
  const std::filesystem::path path_ = make(dir_ / "chunks.h5", fx_);
  h5::File file_ = h5::File::open(path_);
  h5::Group root_ = file_.root();
};

// What index HDF5 picks for each fixture dataset with libver="latest".
const std::map<std::string, std::string> kLatestKinds = {
    {"edge", "farray"},    {"edge_gzip", "farray"},     {"fletcher", "farray"},     {"many", "farray"},
    {"many_gzip", "farray"}, {"sparse", "farray"},     {"sparse_gzip", "farray"},  {"empty", "farray"},
    {"ext", "earray"},      {"ext_gzip", "earray"},    {"bt2", "btree2"},          {"bt2_gzip", "btree2"},
    {"single", "single"},   {"single_gzip", "single"}, {"implicit", "implicit"},   {"attrs", "farray"},
};

TEST_P(ChunkMapFixtures, FormatMapEqualsHdf5ChunkInfoAndPointsAtTheChunkBytes) {
  for (const auto& [name, kind] : kLatestKinds) {
    SCOPED_TRACE(name);
    // HDF5 1.10.8 writes but cannot reopen a dataset with an unlimited
    // dimension in a file with 4-byte lengths ("didn't find unlimited
    // dimension"); the v2 B-tree ones (every dimension unlimited) do reopen.
    if (fx_.address_bytes == 4 && fx_.libver == "latest" && name.starts_with("ext")) continue;
    auto dset = root_.open_dataset(name);
    auto api = chunk::map_chunks(dset, chunk::MapMethod::hdf5_api);
    EXPECT_EQ(api.source(), "hdf5-api");
    auto fmt_map = chunk::map_chunks(dset, chunk::MapMethod::format);
    EXPECT_EQ(fmt_map.source(), fx_.libver == "latest" ? kind : std::string("btree1"));
    if (fx_.libver == "latest" && name == "ext_gzip") {
      // HDF5 1.10.8 bug: for an extensible array whose unlimited dimension is
      // not the first, H5Dget_chunk_info's iteration reports offsets in
      // unswizzled order (here (0,1198) for a 6x600 dataset). Its addresses and
      // sizes are right; the offsets are checked below through H5Dread_chunk,
      // which looks chunks up by coordinates correctly.
      auto by_address = [](const chunk::ChunkMap& m) {
        std::vector<std::tuple<std::uint64_t, std::uint64_t, std::uint32_t>> v;
        for (std::size_t i = 0; i < m.size(); ++i)
          v.emplace_back(m.record(i).byte_offset, m.record(i).size, m.record(i).filter_mask);
        std::sort(v.begin(), v.end());
        return v;
      };
      EXPECT_EQ(by_address(fmt_map), by_address(api));
      EXPECT_EQ(fmt_map.size(), fmt_map.chunk_grid_count());
    } else {
      expect_same_map(fmt_map, api, name);
    }
    auto automatic = chunk::map_chunks(dset, chunk::MapMethod::automatic);
    EXPECT_EQ(automatic.source(), fmt_map.source());
    // The bytes at each byte_offset are the chunk HDF5 hands back raw.
    for (std::size_t i = 0; i < fmt_map.size(); ++i) {
      auto off = fmt_map.offset(i);
      std::vector<hsize_t> hoff(off.begin(), off.end());
      std::uint32_t mask = 0;
      std::vector<std::byte> raw;
      dset.read_chunk(hoff, mask, raw);
      auto at = pread_bytes(path_, fmt_map.record(i).byte_offset, fmt_map.record(i).size);
      ASSERT_EQ(at, raw) << name << " chunk " << i;
      EXPECT_EQ(mask, fmt_map.record(i).filter_mask);
    }
  }
}

TEST_P(ChunkMapFixtures, ChunkCountsAndEdgeCases) {
  auto edge = chunk::map_chunks(root_.open_dataset("edge"));
  EXPECT_EQ(edge.size(), 5u * 5u);  // ceil(37/8) x ceil(23/5)
  EXPECT_EQ(edge.chunk_grid_count(), 25u);
  EXPECT_EQ(edge.chunk_nbytes(), 8u * 5u * 4u);
  EXPECT_EQ(edge.allocated_bytes(), 25u * 160u);
  auto sparse = chunk::map_chunks(root_.open_dataset("sparse"));
  sparse.sort();
  ASSERT_EQ(sparse.size(), 3u);  // [0,0], [50,90], [60,90]
  EXPECT_EQ(std::vector<std::uint64_t>(sparse.offset(1).begin(), sparse.offset(1).end()),
            (std::vector<std::uint64_t>{50, 90}));
  EXPECT_EQ(chunk::map_chunks(root_.open_dataset("empty")).size(), 0u);
  EXPECT_EQ(chunk::map_chunks(root_.open_dataset("many")).size(), 3000u);
}

// Inflates a zlib stream into exactly `out`.
void inflate_exact(std::span<const std::byte> in, std::span<std::byte> out) {
  uLongf n = out.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()), in.size()),
            Z_OK);
  ASSERT_EQ(n, out.size());
}

TEST_P(ChunkMapFixtures, DecodingTheMappedBytesGivesWhatH5pyWrote) {
  {  // gzip + shuffle, 4-byte elements: value = row * 23 + col
    auto map = chunk::map_chunks(root_.open_dataset("edge_gzip"));
    ASSERT_EQ(map.size(), 25u);
    for (std::size_t i = 0; i < map.size(); ++i) {
      auto stored = pread_bytes(path_, map.record(i).byte_offset, map.record(i).size);
      std::vector<std::byte> shuffled(map.chunk_nbytes());
      inflate_exact(stored, shuffled);
      const std::size_t n = shuffled.size() / 4;
      std::vector<std::int32_t> values(n);
      auto* out = reinterpret_cast<unsigned char*>(values.data());
      for (std::size_t e = 0; e < n; ++e)
        for (std::size_t b = 0; b < 4; ++b) out[e * 4 + b] = static_cast<unsigned char>(shuffled[b * n + e]);
      auto off = map.offset(i);
      for (std::uint64_t r = 0; r < 8; ++r)
        for (std::uint64_t c = 0; c < 5; ++c) {
          std::uint64_t row = off[0] + r, col = off[1] + c;
          if (row >= 37 || col >= 23) continue;
          ASSERT_EQ(values[r * 5 + c], static_cast<std::int32_t>(row * 23 + col)) << "chunk " << i;
        }
    }
  }
  {  // gzip then fletcher32: the last 4 stored bytes are the checksum
    auto map = chunk::map_chunks(root_.open_dataset("fletcher"));
    ASSERT_EQ(map.size(), 7u);
    for (std::size_t i = 0; i < map.size(); ++i) {
      auto stored = pread_bytes(path_, map.record(i).byte_offset, map.record(i).size);
      ASSERT_GT(stored.size(), 4u);
      std::vector<std::int16_t> values(10);
      inflate_exact(std::span(stored).first(stored.size() - 4), std::as_writable_bytes(std::span(values)));
      for (std::uint64_t e = 0; e < 10 && map.offset(i)[0] + e < 64; ++e)
        ASSERT_EQ(values[e], static_cast<std::int16_t>(map.offset(i)[0] + e));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, ChunkMapFixtures,
                         ::testing::Values(Fixture{"default", 0}, Fixture{"default", 512}, Fixture{"latest", 0},
                                           Fixture{"latest", 1024}, Fixture{"default", 0, 4}, Fixture{"latest", 0, 4}),
                         [](const auto& info) {
                           return info.param.libver + (info.param.userblock ? "_userblock" : "") +
                                  (info.param.address_bytes != 8 ? "_addr" + std::to_string(info.param.address_bytes) : "");
                         });

TEST(ChunkMap, ContiguousDatasetIsAUsageError) {
  TempDir dir;
  auto path = dir / "c.h5";
  test::run_python("import h5py,sys\nwith h5py.File(sys.argv[1],'w') as f: f['x']=[1,2,3]\n", {path.string()});
  auto file = h5::File::open(path);
  try {
    chunk::map_chunks(file.root().open_dataset("x"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
}

TEST(ChunkMap, SortOrdersByOffsetInCOrder) {
  chunk::ChunkMap m({4, 4}, {2, 2}, 1);
  const std::uint64_t offs[][2] = {{2, 2}, {0, 2}, {2, 0}, {0, 0}};
  for (std::uint64_t i = 0; i < 4; ++i) m.add(offs[i], format::ChunkRecord{100 + i, 4, 0});
  m.sort();
  EXPECT_EQ(m.record(0).byte_offset, 103u);
  EXPECT_EQ(m.record(1).byte_offset, 101u);
  EXPECT_EQ(m.record(2).byte_offset, 102u);
  EXPECT_EQ(m.record(3).byte_offset, 100u);
  EXPECT_EQ(m.allocated_bytes(), 16u);
}

}  // namespace
}  // namespace h5dig

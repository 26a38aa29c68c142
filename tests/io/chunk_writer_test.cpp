// ChunkWriter: everything it writes reads back through h5py (HDF5's own filters
// and the Debian plugins) equal to the input, with the pipeline h5py records.
#include "h5dig/io/chunk_writer.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <algorithm>
#include <numeric>
#include <random>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/h5/filters.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

// Reads DATASET from FILE with h5py and compares it with the raw uint16 file.
const char* kCompare = R"(
import sys, h5py, numpy as np
f, name, raw, shape = sys.argv[1], sys.argv[2], sys.argv[3], tuple(int(x) for x in sys.argv[4].split(','))
want = np.fromfile(raw, dtype='<u2').reshape(shape)
with h5py.File(f, 'r') as h:
    d = h[name]
    got = d[()]
    assert d.shape == shape, (d.shape, shape)
    assert d.dtype == np.dtype('<u2'), d.dtype
    if not np.array_equal(got, want):
        bad = np.argwhere(got != want)
        raise SystemExit('differs at %s: %s != %s' % (bad[0], got[tuple(bad[0])], want[tuple(bad[0])]))
    print('maxshape', d.maxshape, 'chunks', d.chunks)
)";

std::vector<std::uint16_t> pattern(std::size_t n, unsigned seed) {
  std::vector<std::uint16_t> v(n);
  std::mt19937 rng(seed);
  // Compressible but not trivial: small counts with runs, as detector frames.
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint16_t>((rng() % 7 == 0) ? rng() % 50 : i % 13);
  return v;
}

void write_raw(const std::filesystem::path& p, const std::vector<std::uint16_t>& v) {
  test::write_file(p, std::string(reinterpret_cast<const char*>(v.data()), v.size() * 2));
}

// Writes a {7,33,20} uint16 dataset with chunks {2,8,6} (edge chunks on every
// axis) in blocks of {3,5,7} given in shuffled order.
void write_shuffled_blocks(const std::filesystem::path& path, const std::string& filter_text,
                           const std::vector<std::uint16_t>& data, unsigned threads = 2) {
  const std::vector<hsize_t> shape = {7, 33, 20}, chunks = {2, 8, 6}, block = {3, 5, 7};
  auto parsed = codec::parse_filter_specs(filter_text);
  auto file = h5::File::create(path);
  io::WriteSession session({.threads = threads, .max_in_flight = 3});
  auto w = io::ChunkWriter::create(session, file.root(),
                                   {.name = "g/data", .type = H5T_STD_U16LE, .shape = shape, .chunks = chunks,
                                    .filters = parsed.filters, .deflate = parsed.deflate},
                                   {.block_shape = block});
  std::vector<std::vector<hsize_t>> origins;
  for (hsize_t i = 0; i < shape[0]; i += block[0])
    for (hsize_t j = 0; j < shape[1]; j += block[1])
      for (hsize_t k = 0; k < shape[2]; k += block[2]) origins.push_back({i, j, k});
  std::shuffle(origins.begin(), origins.end(), std::mt19937(42));
  for (const auto& o : origins) {
    std::vector<hsize_t> s(3);
    for (int d = 0; d < 3; ++d) s[d] = std::min(block[d], shape[d] - o[d]);
    std::vector<std::uint16_t> buf;
    for (hsize_t i = 0; i < s[0]; ++i)
      for (hsize_t j = 0; j < s[1]; ++j)
        for (hsize_t k = 0; k < s[2]; ++k)
          buf.push_back(data[((o[0] + i) * shape[1] + (o[1] + j)) * shape[2] + (o[2] + k)]);
    w.write(o, s, std::as_bytes(std::span(buf)));
  }
  w.finish();
  session.flush();
}

class ChunkWriterFilters : public ::testing::TestWithParam<std::string> {};

TEST_P(ChunkWriterFilters, ShuffledBlocksReadBackThroughH5py) {
  TempDir dir;
  auto data = pattern(7 * 33 * 20, 3);
  write_raw(dir / "want.raw", data);
  write_shuffled_blocks(dir / "out.h5", GetParam(), data);
  auto r = test::run_python(kCompare, {(dir / "out.h5").string(), "g/data", (dir / "want.raw").string(), "7,33,20"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("chunks (2, 8, 6)"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(EachFilter, ChunkWriterFilters,
                         ::testing::Values("none", "gzip=4", "gzip=1:zlib", "shuffle,gzip=4", "fletcher32",
                                           "shuffle,gzip=6,fletcher32", "lz4", "bslz4", "shuffle,lz4", "szip",
                                           "szip=ec:16", "lzf", "shuffle,lzf", "bzip2=5"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (auto& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

// zstd has no Debian HDF5 plugin: check the recorded pipeline and decode the
// stored chunks with h5dig's codecs instead.
TEST(ChunkWriter, ZstdChunksDecodeToTheInput) {
  TempDir dir;
  auto data = pattern(7 * 33 * 20, 5);
  write_shuffled_blocks(dir / "z.h5", "shuffle,zstd=3", data);
  auto file = h5::File::open(dir / "z.h5");
  auto ds = file.root().open_dataset("g/data");
  auto specs = h5::read_filter_specs(ds.create_plist());
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[1].id, codec::kZstdId);
  codec::Pipeline pipeline(specs, 2);
  codec::Workspace ws;
  std::vector<std::uint16_t> chunk(2 * 8 * 6);
  for (hsize_t i = 0; i < 7; i += 2)
    for (hsize_t j = 0; j < 33; j += 8)
      for (hsize_t k = 0; k < 20; k += 6) {
        std::vector<hsize_t> off = {i, j, k};
        std::uint32_t mask = 0;
        std::vector<std::byte> stored;
        ds.read_chunk(off, mask, stored);
        pipeline.decode(stored, std::as_writable_bytes(std::span(chunk)), mask, ws);
        for (hsize_t a = 0; a < 2 && i + a < 7; ++a)
          for (hsize_t b = 0; b < 8 && j + b < 33; ++b)
            for (hsize_t c = 0; c < 6 && k + c < 20; ++c)
              ASSERT_EQ(chunk[(a * 8 + b) * 6 + c], data[((i + a) * 33 + j + b) * 20 + k + c]);
      }
}

// The Filter-N lines h5ls prints for h5dig's file equal those of the same
// dataset created by h5py; no Modified line (track_times off, as h5py).
TEST(ChunkWriter, H5lsShowsTheSamePipelineAsH5py) {
  TempDir dir;
  auto data = pattern(7 * 33 * 20, 9);
  write_shuffled_blocks(dir / "ours.h5", "shuffle,gzip=4,fletcher32", data);
  write_shuffled_blocks(dir / "bs.h5", "bslz4", data);
  test::run_python(R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('g/data', shape=(7,33,20), dtype='<u2', chunks=(2,8,6), shuffle=True, compression='gzip',
                     compression_opts=4, fletcher32=True)
with h5py.File(sys.argv[2], 'w') as f:
    f.create_dataset('g/data', shape=(7,33,20), dtype='<u2', chunks=(2,8,6), compression=32008, compression_opts=(0, 2))
)",
                   {(dir / "theirs.h5").string(), (dir / "theirs_bs.h5").string()});
  auto filters = [](const std::string& listing) {
    std::string out;
    std::size_t pos = 0;
    while ((pos = listing.find("Filter-", pos)) != std::string::npos) {
      auto end = listing.find('\n', pos);
      out += listing.substr(pos, end - pos) + "\n";
      pos = end;
    }
    return out;
  };
  for (auto [ours, theirs] : {std::pair{"ours.h5", "theirs.h5"}, std::pair{"bs.h5", "theirs_bs.h5"}}) {
    auto a = test::run({"h5ls", "-v", (dir / ours).string() + "/g/data"});
    auto b = test::run({"h5ls", "-v", (dir / theirs).string() + "/g/data"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_FALSE(filters(a.out).empty()) << a.out;
    EXPECT_EQ(filters(a.out), filters(b.out));
    EXPECT_EQ(a.out.find("Modified"), std::string::npos) << a.out;
  }
  auto a = test::run({"h5ls", "-v", (dir / "ours.h5").string() + "/g/data"});
  EXPECT_NE(a.out.find("Filter-0:  shuffle-2 OPT {2}"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("Filter-1:  deflate-1 OPT {4}"), std::string::npos) << a.out;
}

TEST(ChunkWriter, UnlimitedFramesExtendAsTheyArrive) {
  TempDir dir;
  const hsize_t h = 9, w = 11, frames = 10;
  auto data = pattern(frames * h * w, 11);
  write_raw(dir / "want.raw", data);
  {
    auto file = h5::File::create(dir / "u.h5");
    io::WriteSession session({.threads = 2});
    std::vector<std::byte> fill = {std::byte{7}, std::byte{0}};
    auto writer = io::ChunkWriter::create(
        session, file.root(),
        {.name = "data", .type = H5T_STD_U16LE, .shape = {0, h, w}, .maxshape = {h5::kUnlimited, h, w},
         .chunks = {4, 5, 11}, .filters = codec::parse_filter_specs("shuffle,gzip=4").filters, .fill_value = fill},
        {.block_shape = {1, h, w}});
    std::vector<hsize_t> blk = {1, h, w};
    for (hsize_t j = 0; j < frames; ++j)
      writer.append(blk, std::as_bytes(std::span(data).subspan(j * h * w, h * w)));
    EXPECT_EQ(writer.extent()[0], frames);
    writer.finish();
  }
  auto r = test::run_python(std::string(kCompare) + R"(
    assert d.maxshape == (None, 9, 11), d.maxshape
    assert d.fillvalue == 7, d.fillvalue
    assert d.id.get_num_chunks() == 3 * 2, d.id.get_num_chunks()
)",
                            {(dir / "u.h5").string(), "data", (dir / "want.raw").string(), "10,9,11"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ChunkWriter, UnwrittenElementsAreTheFillValue) {
  TempDir dir;
  {
    auto file = h5::File::create(dir / "f.h5");
    io::WriteSession session({.threads = 1});
    std::vector<std::byte> fill = {std::byte{0x34}, std::byte{0x12}};
    auto w = io::ChunkWriter::create(session, file.root(),
                                     {.name = "d", .type = H5T_STD_U16LE, .shape = {10, 10}, .chunks = {4, 4},
                                      .filters = codec::parse_filter_specs("gzip=4").filters, .fill_value = fill});
    std::vector<std::uint16_t> row(10, 1);
    std::vector<hsize_t> off = {2, 0}, shp = {1, 10};
    w.write(off, shp, std::as_bytes(std::span(row)));
    w.finish();
  }
  auto r = test::run_python(R"(
import sys, h5py, numpy as np
d = h5py.File(sys.argv[1], 'r')['d'][()]
assert (d[2] == 1).all() and (np.delete(d, 2, axis=0) == 0x1234).all(), d
)",
                            {(dir / "f.h5").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ChunkWriter, MemoryPlanFollowsTheWriteOrder) {
  std::vector<hsize_t> shape = {200, 1024, 1024};
  // Frames into frame chunks: one chunk open.
  auto good = io::plan_memory(shape, std::vector<hsize_t>{1, 1024, 1024}, std::vector<hsize_t>{1, 1024, 1024}, 2, 6);
  EXPECT_EQ(good.open_chunks, 1u);
  // Frames into chunks across the frames: every chunk of the slab is open.
  auto across = io::plan_memory(shape, std::vector<hsize_t>{200, 1, 1024}, std::vector<hsize_t>{1, 1024, 1024}, 2, 6);
  EXPECT_EQ(across.open_chunks, 1024u);
  EXPECT_EQ(across.chunk_bytes, 200u * 1024 * 2);
  // The talk's bad shape: 512 chunks of 512 KB.
  auto talk = io::plan_memory(std::vector<hsize_t>{512, 512, 512}, std::vector<hsize_t>{512, 1, 512},
                              std::vector<hsize_t>{1, 512, 512}, 2, 0);
  EXPECT_EQ(talk.open_chunks, 512u);
  EXPECT_EQ(talk.total_bytes(), 512u * 512 * 1024);
}

TEST(ChunkWriter, MemoryOverTheLimitIsAUsageErrorBeforeCreating) {
  TempDir dir;
  auto file = h5::File::create(dir / "m.h5");
  io::WriteSession session({.threads = 1});
  try {
    io::ChunkWriter::create(session, file.root(),
                            {.name = "d", .type = H5T_STD_U16LE, .shape = {64, 256, 256}, .chunks = {64, 1, 256}},
                            {.block_shape = {1, 256, 256}, .memory_limit = 4 << 20});
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("256 incomplete chunks"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(file.root().exists("d"));
}

TEST(ChunkWriter, MemoryLimitHoldsWhenBlocksArriveInAnotherOrder) {
  TempDir dir;
  auto file = h5::File::create(dir / "m.h5");
  io::WriteSession session({.threads = 1});
  // Declared one chunk at a time, then written row by row: 32 chunks open.
  auto w = io::ChunkWriter::create(session, file.root(),
                                   {.name = "d", .type = H5T_STD_U16LE, .shape = {64, 1024}, .chunks = {64, 32}},
                                   {.memory_limit = 64 * 32 * 2 * 20});
  std::vector<std::uint16_t> row(1024, 5);
  std::vector<hsize_t> shp = {1, 1024};
  std::vector<hsize_t> off = {0, 0};
  EXPECT_THROW(w.write(off, shp, std::as_bytes(std::span(row))), Error);
}

TEST(ChunkWriter, ChunksLargerThanTheDatasetAndBadBlocksAreUsageErrors) {
  TempDir dir;
  auto file = h5::File::create(dir / "c.h5");
  io::WriteSession session({.threads = 1});
  try {
    io::ChunkWriter::create(session, file.root(),
                            {.name = "d", .type = H5T_STD_U16LE, .shape = {10, 10}, .chunks = {20, 5}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("larger than the dataset"), std::string::npos) << e.what();
  }
  try {
    io::ChunkWriter::create(session, file.root(),
                            {.name = "e", .type = H5T_STD_U8LE, .shape = {10}, .chunks = {5},
                             .filters = codec::parse_filter_specs("shuffle,gzip=4").filters});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("shuffle does not suit 1-byte"), std::string::npos) << e.what();
  }
  auto w = io::ChunkWriter::create(session, file.root(),
                                   {.name = "f", .type = H5T_STD_U16LE, .shape = {10, 10}, .chunks = {5, 5}});
  std::vector<std::uint16_t> v(12);
  std::vector<hsize_t> off = {8, 8}, shp = {3, 4};
  EXPECT_THROW(w.write(off, shp, std::as_bytes(std::span(v))), Error);  // past the extent
  std::vector<hsize_t> off2 = {0, 0};
  EXPECT_THROW(w.write(off2, shp, std::as_bytes(std::span(v).first(10))), Error);  // wrong size
}

// Many small 1-D datasets through one session (the archive's use), without
// waiting per dataset.
TEST(ChunkWriter, ManySmallDatasetsShareOneSession) {
  TempDir dir;
  {
    auto file = h5::File::create(dir / "many.h5");
    auto root = file.root();
    io::WriteSession session({.threads = 2, .max_in_flight = 4});
    auto filters = codec::parse_filter_specs("gzip=9").filters;
    for (int i = 0; i < 60; ++i) {
      std::string bytes(static_cast<std::size_t>(i * 37 + 1), 'a');
      for (std::size_t k = 0; k < bytes.size(); ++k) bytes[k] = static_cast<char>('a' + (k * i) % 26);
      auto w = io::ChunkWriter::create(session, root,
                                       {.name = "dir/f" + std::to_string(i), .type = H5T_STD_U8LE,
                                        .shape = {bytes.size()}, .chunks = {std::min<hsize_t>(bytes.size(), 500)},
                                        .filters = filters});
      w.write_all(std::as_bytes(std::span(bytes)));
      w.finish(false);
    }
    session.flush();
  }
  auto r = test::run_python(R"(
import sys, h5py
with h5py.File(sys.argv[1], 'r') as f:
    for i in range(60):
        n = i * 37 + 1
        want = bytes(ord('a') + (k * i) % 26 for k in range(n))
        assert f['dir/f%d' % i][()].tobytes() == want, i
)",
                            {(dir / "many.h5").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace h5dig

namespace h5dig {
namespace {

// A chunk HDF5 refuses to store (a file opened read-only) is one error naming
// the dataset and the chunk; the session stays failed.
TEST(ChunkWriter, WriteErrorNamesDatasetAndChunk) {
  test::TempDir dir;
  {
    auto file = h5::File::create(dir / "ro.h5");
    io::WriteSession session({.threads = 1});
    auto w = io::ChunkWriter::create(session, file.root(),
                                     {.name = "d", .type = H5T_STD_U16LE, .shape = {4, 4}, .chunks = {2, 4}});
    w.finish();
  }
  auto file = h5::File::open(dir / "ro.h5");  // read-only
  io::WriteSession session({.threads = 2});
  auto w = io::ChunkWriter::open(session, file.root().open_dataset("d"));
  std::vector<std::uint16_t> v(16, 9);
  try {
    w.write_all(std::as_bytes(std::span(v)));
    w.finish();
    FAIL() << "expected a write error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::io) << msg;
    EXPECT_NE(msg.find("/d chunk [0,0]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("H5Dwrite_chunk"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_THROW(session.flush(), Error);
}

}  // namespace
}  // namespace h5dig

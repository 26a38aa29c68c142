// repack: a whole file (groups, attributes, links, odd datasets) or one dataset,
// rechunked and recompressed, reads back through h5py equal to the input.
#include "h5dig/io/repack.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <sstream>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

const char* kMakeInput = R"(
import sys, h5py, numpy as np
rng = np.random.default_rng(5)
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['title'] = 'scan 17'
    f.attrs['energies'] = np.array([1.5, 2.5, 3.5])
    e = f.create_group('entry')
    e.attrs.create('vlen', 'a variable-length string', dtype=h5py.string_dtype())
    d = e.create_dataset('frames', data=rng.poisson(0.7, (9, 40, 33)).astype('<u2'), chunks=(1, 40, 33),
                         compression='gzip', compression_opts=1)
    d.attrs['units'] = b'counts'
    e.create_dataset('raw', data=rng.integers(0, 255, 1000, dtype='u1'))                # contiguous uint8
    e.create_dataset('floats', data=rng.random((17, 5)).astype('>f8'))                  # big-endian, contiguous
    e.create_dataset('grow', data=np.arange(50, dtype='<i4'), maxshape=(None,), chunks=(8,), fillvalue=-3)
    e.create_dataset('scalar', data=42)
    e.create_dataset('names', data=['ab', 'cde'], dtype=h5py.string_dtype())
    e.create_dataset('empty', shape=(0, 4), dtype='f4', maxshape=(None, 4))
    e['same_frames'] = d                                   # hard link to the same object
    e['soft'] = h5py.SoftLink('/entry/frames')
    e['ext'] = h5py.ExternalLink('other.h5', '/x')
    f.create_group('a/b/c').attrs['depth'] = 3
)";

// Compares two files: structure, link kinds, attributes, dtypes, shapes,
// maxshapes, fill values and values; prints the chunks/filters of each dataset.
const char* kCompare = R"(
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
def attrs_equal(x, y, where):
    assert sorted(x.attrs.keys()) == sorted(y.attrs.keys()), where
    for k in x.attrs:
        assert np.array_equal(np.asarray(x.attrs[k]), np.asarray(y.attrs[k])), (where, k)
def walk(ga, gb, path):
    assert sorted(ga.keys()) == sorted(gb.keys()), (path, list(ga.keys()), list(gb.keys()))
    attrs_equal(ga, gb, path)
    for k in ga:
        la, lb = ga.get(k, getlink=True), gb.get(k, getlink=True)
        assert type(la) == type(lb), (path, k, la, lb)
        if isinstance(la, h5py.SoftLink):
            assert la.path == lb.path; continue
        if isinstance(la, h5py.ExternalLink):
            assert (la.filename, la.path) == (lb.filename, lb.path); continue
        oa, ob = ga[k], gb[k]
        if isinstance(oa, h5py.Group):
            walk(oa, ob, path + k + '/'); continue
        assert oa.dtype == ob.dtype and oa.shape == ob.shape and oa.maxshape == ob.maxshape, (k, oa, ob)
        if oa.dtype.kind != 'O' and (oa.fillvalue is not None or ob.fillvalue is not None):  # h5py crashes on vlen fill
            assert np.array_equal(np.asarray(oa.fillvalue), np.asarray(ob.fillvalue)), k
        assert np.array_equal(oa[()], ob[()]), k
        attrs_equal(oa, ob, path + k)
        print(path + k, ob.chunks, ob.compression, ob.shuffle)
walk(a, b, '/')
ea, eb = b['entry/frames'], b['entry/same_frames']
assert ea.id == eb.id or h5py.h5o.get_info(ea.id).addr == h5py.h5o.get_info(eb.id).addr, 'hard link lost'
)";

TEST(Repack, WholeFileKeepsGroupsAttributesAndLinks) {
  TempDir dir;
  test::run_python(kMakeInput, {(dir / "in.h5").string()});
  std::ostringstream log;
  io::RepackOptions o;
  o.threads = 2;
  o.filters = codec::parse_filter_specs("shuffle,gzip=4");
  auto stats = io::run_repack((dir / "in.h5").string(), (dir / "out.h5").string(), o, log);
  EXPECT_EQ(stats.datasets, 4u) << log.str();  // frames, raw, floats, grow (not again for the hard link)
  EXPECT_EQ(stats.copied, 3u) << log.str();    // scalar, vlen strings, empty
  auto r = test::run_python(kCompare, {(dir / "in.h5").string(), (dir / "out.h5").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("/entry/frames (1, 40, 33) gzip True"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/entry/raw (1000,) gzip False"), std::string::npos) << r.out;  // shuffle dropped for u1
  EXPECT_NE(r.out.find("/entry/grow (8,) gzip True"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/entry/floats (17, 5) gzip True"), std::string::npos) << r.out;  // small: one chunk
}

TEST(Repack, OneDatasetRechunkedAcrossFrames) {
  TempDir dir;
  test::run_python(kMakeInput, {(dir / "in.h5").string()});
  for (std::string filter : {"bslz4", "gzip=4:zlib", "none"}) {
    std::ostringstream log;
    io::RepackOptions o;
    o.chunks = std::vector<hsize_t>{9, 1, 33};
    o.filters = codec::parse_filter_specs(filter);
    io::run_repack((dir / "in.h5").string() + "/entry/frames", (dir / "one.h5").string() + "/x/frames", o, log);
    auto r = test::run_python(R"(
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], 'r')['entry/frames']
b = h5py.File(sys.argv[2], 'r')['x/frames']
assert b.chunks == (9, 1, 33), b.chunks
assert np.array_equal(a[()], b[()])
assert b.attrs['units'] == a.attrs['units'] == 'counts'
)",
                              {(dir / "in.h5").string(), (dir / "one.h5").string()});
    EXPECT_EQ(r.exit_code, 0) << filter << ": " << r.err;
  }
}

// Into chunks across the frames, unfiltered input (raw chunks, contiguous) is
// read in blocks of whole output chunks: only one block's chunks are held, so a
// memory limit far below one row of output chunks is enough. Compressed input
// is read frame by frame (each chunk decoded once) and needs the whole row.
TEST(Repack, UnfilteredInputIsReadInOutputChunkOrder) {
  TempDir dir;
  const auto in = (dir / "in.h5").string();
  test::run_python(R"(
import sys, h5py, numpy as np
a = np.random.default_rng(3).poisson(2, (64, 512, 512)).astype('<u2')   # 32 MiB
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('raw', data=a, chunks=(1, 512, 512))
    f.create_dataset('contiguous', data=a)
    f.create_dataset('gzip', data=a, chunks=(1, 512, 512), compression='gzip', compression_opts=1)
)",
                   {in});
  for (std::string name : {"raw", "contiguous", "gzip"}) {
    const auto out = (dir / (name + ".h5")).string();
    std::ostringstream log;
    io::RepackOptions o;
    o.chunks = std::vector<hsize_t>{64, 1, 512};  // 64 KiB chunks, 512 of them per row (32 MiB)
    o.filters = codec::parse_filter_specs("shuffle,gzip=1");
    o.memory_limit = 16u << 20;
    o.threads = 2;
    if (name == "gzip") {
      try {
        io::run_repack(in + "/" + name, out, o, log);
        ADD_FAILURE() << "compressed input read across its chunks fitted in 16 MiB";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
        EXPECT_NE(std::string(e.what()).find("512 incomplete chunks"), std::string::npos) << e.what();
      }
      continue;
    }
    io::run_repack(in + "/" + name, out, o, log);
    auto r = test::run_python(R"(
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], 'r')[sys.argv[3]]
b = h5py.File(sys.argv[2], 'r')[sys.argv[3]]
assert b.chunks == (64, 1, 512), b.chunks
assert np.array_equal(a[()], b[()])
)",
                              {in, out, name});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
}

TEST(Repack, UsageErrorsNameTheReason) {
  TempDir dir;
  test::run_python(kMakeInput, {(dir / "in.h5").string()});
  auto in = (dir / "in.h5").string();
  auto out = (dir / "out.h5").string();
  auto r = test::run_h5dig({"repack", "--chunks", "100,40,33", in + "/entry/frames", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("larger than the dataset"), std::string::npos) << r.err;
  r = test::run_h5dig({"repack", "--chunks", "1,40", in + "/entry/frames", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = test::run_h5dig({"repack", "--filter", "shuffle,gzip=4", in + "/entry/raw", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("shuffle does not suit 1-byte"), std::string::npos) << r.err;
  r = test::run_h5dig({"repack", "--filter", "gzip=11", in, out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // Nothing left behind, not even the temporary file.
  for (auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".h5dig-"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace h5dig

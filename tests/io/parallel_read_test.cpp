// ParallelReader against h5py: whole reads and random selections of datasets
// with every filter, edge chunks, unallocated chunks, big-endian types,
// unlimited dimensions, libver="latest" chunk indexes, contiguous and compact
// layouts; thread counts 1, 2 and 7; and bad input through the built binary.
#include "h5dig/io/parallel_reader.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/io/read_command.hpp"
#include "support/fixtures.hpp"

namespace h5dig::io {
namespace {

namespace fs = std::filesystem;

// Makes two files (default and libver="latest") and, for every dataset, the
// bytes h5py reads for the whole dataset and for a dozen random selections.
// cases.txt lines: "FILE DATASET SELECTION EXPECTED_FILE" (SELECTION "-" = all).
const char* kFixtureScript = R"PY(
import sys, os, h5py, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(20261124)

def noise(shape, dtype):
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        return rng.standard_normal(shape).astype(dtype)
    if dt.kind == 'S':
        return np.array([b'ab%d' % i for i in range(int(np.prod(shape)))], dtype=dtype).reshape(shape)
    return rng.poisson(3, shape).astype(dtype)

def make_default(f):
    f.create_dataset('deflate', data=noise((30, 41, 17), '<u2'), chunks=(7, 10, 8), compression='gzip', compression_opts=4)
    f.create_dataset('shuffle_deflate', data=noise((33, 40, 12), '<i4'), chunks=(8, 16, 5), compression='gzip', shuffle=True)
    f.create_dataset('fletcher32_deflate', data=noise((25, 60), '<u2'), chunks=(10, 16), compression='gzip', fletcher32=True)
    f.create_dataset('fletcher32', data=noise((25, 60), '<u4'), chunks=(10, 16), fletcher32=True)
    f.create_dataset('lz4', data=noise((20, 300), '<u2'), chunks=(6, 128), compression=32004)
    f.create_dataset('bslz4', data=noise((12, 64, 70), '<u2'), chunks=(1, 64, 64), compression=32008, compression_opts=(0, 2))
    f.create_dataset('bitshuffle', data=noise((19, 77), '<u4'), chunks=(5, 32), compression=32008, compression_opts=(0, 0))
    f.create_dataset('blosc_lz4', data=noise((30, 50), '<u2'), chunks=(8, 20), compression=32001, compression_opts=(0, 0, 0, 0, 5, 1, 1))
    f.create_dataset('blosc_zstd_bitshuffle', data=noise((30, 50), '<f4'), chunks=(8, 20), compression=32001, compression_opts=(0, 0, 0, 0, 5, 2, 5))
    f.create_dataset('uncompressed_chunked', data=noise((21, 22), '<f8'), chunks=(4, 4))
    f.create_dataset('edges', data=noise((50, 37, 23), '<u2'), chunks=(7, 10, 8), compression='gzip', shuffle=True)
    d = f.create_dataset('fill', shape=(40, 40), dtype='<i2', chunks=(8, 8), fillvalue=-123, compression='gzip')
    d[0:8, 0:8] = noise((8, 8), '<i2'); d[17:30, 3:9] = noise((13, 6), '<i2')
    d = f.create_dataset('fill_be_f8', shape=(30, 30), dtype='>f8', chunks=(7, 7), fillvalue=1.5, shuffle=True, compression='gzip')
    d[10:20, 10:20] = noise((10, 10), '>f8')
    f.create_dataset('be_f4', data=noise((20, 33), '>f4'), chunks=(6, 10), compression='gzip', shuffle=True)
    f.create_dataset('be_f8', data=noise((20, 33), '>f8'), chunks=(6, 10))
    f.create_dataset('be_u2_bslz4', data=noise((9, 40), '>u2'), chunks=(3, 40), compression=32008, compression_opts=(0, 2))
    d = f.create_dataset('unlimited', shape=(10, 30), maxshape=(None, 30), dtype='<u2', chunks=(4, 30), compression='gzip')
    d[...] = noise((10, 30), '<u2'); d.resize((23, 30)); d[15:23] = noise((8, 30), '<u2')
    f.create_dataset('contiguous', data=noise((100, 50), '<u2'))
    f.create_dataset('contiguous_be', data=noise((13, 7), '>f8'))
    f.create_dataset('contiguous_unwritten', shape=(10, 10), dtype='<i4', fillvalue=9)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE); dcpl.set_layout(h5py.h5d.COMPACT)
    h5py.h5d.create(f.id, b'compact', h5py.h5t.STD_I16BE, h5py.h5s.create_simple((10, 20)), dcpl=dcpl)
    f['compact'][...] = noise((10, 20), '>i2')
    f.create_dataset('u1_1d', data=noise((1000,), '<u1'), chunks=(64,), compression='gzip')
    f.create_dataset('i8_4d', data=noise((5, 6, 7, 8), '<i8'), chunks=(2, 3, 4, 5), compression='gzip', shuffle=True)
    f.create_dataset('strings', data=noise((40,), 'S7'), chunks=(16,), compression='gzip')
    # A chunk stored with deflate skipped (filter mask bit 0), as HDF5 does for an optional filter.
    d = f.create_dataset('mask', data=noise((4, 100), '<u2'), chunks=(1, 100), compression='gzip')
    d.id.write_direct_chunk((2, 0), noise((1, 100), '<u2').tobytes(), filter_mask=1)
    f.create_dataset('lzf', data=noise((10, 20), '<u2'), chunks=(5, 5), compression='lzf')
    f.create_dataset('scaleoffset', data=noise((10, 20), '<i4') % 1000, chunks=(5, 5), scaleoffset=0)
    layout = h5py.VirtualLayout(shape=(2, 50), dtype='<u2')
    layout[0] = h5py.VirtualSource(f['contiguous'])[0]
    layout[1] = h5py.VirtualSource(f['contiguous'])[5]
    f.create_virtual_dataset('virtual', layout)
    f['scalar'] = np.float32(2.5)

def make_latest(f):
    f.create_dataset('single', data=noise((20, 30), '<u2'), chunks=(20, 30), compression='gzip')
    f.create_dataset('farray', data=noise((40, 40), '<u2'), chunks=(7, 7), compression='gzip', shuffle=True)
    d = f.create_dataset('earray', shape=(5, 40), maxshape=(None, 40), dtype='<i4', chunks=(5, 8), compression='gzip', fillvalue=4)
    d[...] = noise((5, 40), '<i4'); d.resize((31, 40)); d[20:31, 3:17] = noise((11, 14), '<i4')
    d = f.create_dataset('btree2', shape=(10, 10), maxshape=(None, None), dtype='>f4', chunks=(6, 6), compression='gzip')
    d[...] = noise((10, 10), '>f4'); d.resize((25, 19)); d[20:25, 12:19] = noise((5, 7), '>f4')
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE); dcpl.set_chunk((6, 9)); dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    h5py.h5d.create(f.id, b'implicit', h5py.h5t.STD_U16LE, h5py.h5s.create_simple((20, 30)), dcpl=dcpl)
    f['implicit'][3:17, 4:30] = noise((14, 26), '<u2')

cases = []
numpy_cases = []
def expect(path, f):
    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        base = os.path.basename(path) + '.' + name
        open(os.path.join(out, base + '.all'), 'wb').write(obj[()].tobytes())
        cases.append('%s %s - %s.all' % (path, name, base))
        if obj.shape == ():
            return
        for i in range(12):
            sel = []
            for n in obj.shape:
                a = int(rng.integers(0, n)); b = int(rng.integers(a + 1, n + 1))
                sel.append((a, b))
            text = ','.join('%d:%d' % s for s in sel)
            exp = os.path.join(out, '%s.%d' % (base, i))
            open(exp, 'wb').write(obj[tuple(slice(a, b) for a, b in sel)].tobytes())
            cases.append('%s %s %s %s.%d' % (path, name, text, base, i))
        # numpy basic indexing (io::parse_numpy_selection): steps, clamped and
        # negative bounds, integer members dropping their dimension.
        for i in range(8):
            members, key = [], []
            for n in obj.shape[:len(obj.shape) - (i % 2)]:
                kind = rng.integers(0, 4)
                if kind == 0:
                    k = int(rng.integers(-n, n)); members.append(str(k)); key.append(k)
                else:
                    def bound():
                        if rng.integers(0, 4) == 0: return None
                        return int(rng.integers(-n - 3, n + 4))
                    a, b = bound(), bound()
                    st = [None, 1, 2, 3, 7, n + 5][int(rng.integers(0, 6))] if kind > 1 else None
                    text = ('' if a is None else str(a)) + ':' + ('' if b is None else str(b))
                    if st is not None: text += ':' + str(st)
                    members.append(text); key.append(slice(a, b, st))
            value = obj[tuple(key)]
            exp = os.path.join(out, '%s.np%d' % (base, i))
            # all-integer members give a numpy scalar (native order, 'S' stripped): back to the dataset's dtype
            open(exp, 'wb').write(np.ascontiguousarray(np.asarray(value, dtype=obj.dtype)).tobytes())
            numpy_cases.append('%s %s %s %s.np%d %s' % (path, name, ','.join(members) or '-', base, i,
                                                        ','.join(map(str, np.shape(value))) or '-'))
    f.visititems(visit)

p1 = os.path.join(out, 'default.h5'); p2 = os.path.join(out, 'latest.h5')
with h5py.File(p1, 'w') as f: make_default(f)
with h5py.File(p2, 'w', libver='latest') as f: make_latest(f)
with h5py.File(p1, 'r') as f: expect(p1, f)
with h5py.File(p2, 'r') as f: expect(p2, f)
open(os.path.join(out, 'cases.txt'), 'w').write('\n'.join(cases) + '\n')
open(os.path.join(out, 'numpy_cases.txt'), 'w').write('\n'.join(numpy_cases) + '\n')
)PY";

struct Case {
  std::string file, dataset, selection, expected;
};

class IoParallelRead : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    test::run_python(kFixtureScript, {dir_->path().string()});
    std::ifstream in(dir_->path() / "cases.txt");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream s(line);
      Case c;
      s >> c.file >> c.dataset >> c.selection >> c.expected;
      if (c.selection == "-") c.selection.clear();
      cases_.push_back(c);
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
    cases_.clear();
  }
  static fs::path path(const std::string& name) { return dir_->path() / name; }

  static test::TempDir* dir_;
  static std::vector<Case> cases_;
};
test::TempDir* IoParallelRead::dir_ = nullptr;
std::vector<Case> IoParallelRead::cases_;

std::vector<std::byte> read_selection(ParallelReader& reader, const std::string& text, const ReadOptions& options) {
  Selection sel = parse_selection(text, reader.shape());
  std::vector<std::byte> out(reader.output_bytes(sel));
  if (reader.shape().empty()) out.resize(reader.element_type().size);
  reader.read(sel, out, options);
  return out;
}

std::string as_string(const std::vector<std::byte>& v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }

TEST_F(IoParallelRead, EveryFixtureAndSelectionEqualsH5pyAtOneTwoAndSevenThreads) {
  ASSERT_GT(cases_.size(), 300u);
  std::map<std::string, std::unique_ptr<ParallelReader>> readers;
  std::ostringstream notes;
  std::size_t n = 0;
  constexpr std::size_t kCycle[] = {1, 2, 7};
  for (const Case& c : cases_) {
    auto& reader = readers[c.file + "/" + c.dataset];
    if (!reader) reader = std::make_unique<ParallelReader>(c.file, c.dataset);
    const std::string expected = test::read_file(path(c.expected));
    // Whole reads at every thread count; selections cycle through them.
    std::vector<std::size_t> thread_counts = c.selection.empty() ? std::vector<std::size_t>{1, 2, 7}
                                                                 : std::vector<std::size_t>{kCycle[n++ % 3]};
    for (std::size_t t : thread_counts) {
      ReadOptions options{.threads = t, .notes = &notes};
      EXPECT_EQ(as_string(read_selection(*reader, c.selection, options)), expected)
          << c.dataset << " [" << c.selection << "] threads " << t << " (" << reader->describe() << ")";
    }
  }
  // Only what h5dig cannot decode falls back, each with a note.
  const std::string text = notes.str();
  EXPECT_NE(text.find("default.h5/scaleoffset: "), std::string::npos) << text;
  EXPECT_EQ(text.find("default.h5/lzf: "), std::string::npos) << text;  // h5dig's own LZF codec
  EXPECT_NE(text.find("default.h5/virtual: virtual dataset"), std::string::npos) << text;
  EXPECT_EQ(text.find("/deflate:"), std::string::npos) << text;
  EXPECT_EQ(text.find("/compact:"), std::string::npos) << text;
}

// `read -o` writes the file in slabs of whole chunk rows through two reused
// buffers; tiny slabs force many of them (unaligned starts, edge chunks,
// contiguous and fallback layouts), and the file must still be h5py's bytes.
TEST_F(IoParallelRead, OutputFileWrittenInSlabsEqualsH5py) {
  std::size_t n = 0;
  for (const Case& c : cases_) {
    if (!c.selection.empty() && c.expected.back() != '5' && c.expected.back() != '8') continue;
    const std::uint64_t slab = std::uint64_t{1} << (6 + n++ % 8);  // 64 B .. 8 KiB
    const fs::path out = dir_->path() / "slabs.bin";
    ReadCommandOptions o;
    o.object = c.file + "/" + c.dataset;
    o.select = c.selection;
    o.output = out.string();
    o.threads = 1 + n % 3;
    o.verify = n % 4 == 0;
    o.progress = false;
    o.slab_bytes = slab;
    std::ostringstream report, notes;
    std::streambuf* cerr = std::cerr.rdbuf(notes.rdbuf());  // fallback notes go to std::cerr
    try {
      run_read(o, report);
    } catch (...) {
      std::cerr.rdbuf(cerr);
      throw;
    }
    std::cerr.rdbuf(cerr);
    EXPECT_EQ(test::read_file(out), test::read_file(path(c.expected)))
        << c.dataset << " [" << c.selection << "] slabs of " << slab << " bytes";
    // However many slabs, a fallback is noted once.
    const std::string text = notes.str();
    std::size_t count = 0;
    for (std::size_t at = text.find("note:"); at != std::string::npos; at = text.find("note:", at + 1)) ++count;
    EXPECT_EQ(count, c.dataset == "scaleoffset" || c.dataset == "virtual" ? 1u : 0u) << c.dataset << ": " << text;
    fs::remove(out);
  }
  EXPECT_GT(n, 60u);
}

TEST_F(IoParallelRead, H5DreadChunkSourceGivesTheSameBytes) {
  for (const Case& c : cases_) {
    if (!c.selection.empty() && c.expected.back() != '3') continue;
    ParallelReader reader(c.file, c.dataset);
    std::ostringstream notes;
    ReadOptions options{.threads = 2, .raw_source = RawSource::hdf5, .notes = &notes};
    EXPECT_EQ(as_string(read_selection(reader, c.selection, options)), test::read_file(path(c.expected)))
        << c.dataset << " [" << c.selection << "]";
  }
}

TEST_F(IoParallelRead, ChunkedReadsAreDoneByH5digNotHdf5) {
  ParallelReader reader(path("default.h5").string(), "edges");
  EXPECT_EQ(reader.describe(), "uint16 LE, chunked 7,10,8, filters shuffle+deflate, read by h5dig");
  EXPECT_EQ(reader.allocated_chunks(), 8u * 4u * 3u);
  Selection sel = whole(reader.shape());
  std::vector<std::byte> out(reader.output_bytes(sel));
  ReadStats stats = reader.read(sel, out, {.threads = 2});
  EXPECT_EQ(stats.chunks, 96u);
  EXPECT_EQ(stats.chunks_filled, 0u);
  EXPECT_EQ(stats.method, "chunked (pread)");
  EXPECT_EQ(stats.bytes, out.size());

  ParallelReader fill(path("default.h5").string(), "fill");
  sel = whole(fill.shape());
  out.resize(fill.output_bytes(sel));
  stats = fill.read(sel, out, {.threads = 2});
  EXPECT_EQ(stats.chunks + stats.chunks_filled, 25u);
  EXPECT_GT(stats.chunks_filled, 10u);
}

TEST_F(IoParallelRead, DecodeKernelIntoAnOutputWritesWhatTheReadWrites) {
  // Datasets whose chunks tile the shape exactly, in C order: the kernel's
  // output (chunk k at k * chunk bytes) is then the whole dataset.
  for (auto [file, dataset] : {std::pair{"default.h5", "mask"}, std::pair{"latest.h5", "single"}}) {
    ParallelReader reader(path(file).string(), dataset);
    Selection sel = whole(reader.shape());
    std::vector<std::byte> read(reader.output_bytes(sel));
    reader.read(sel, read, {.threads = 2});
    ASSERT_EQ(reader.kernel_output_bytes(), read.size()) << dataset;
    std::vector<std::byte> kernel(read.size(), std::byte{0x5a});
    KernelStats k = reader.decode_kernel(2, kernel);
    EXPECT_EQ(k.decoded_bytes, read.size()) << dataset;
    EXPECT_EQ(as_string(kernel), as_string(read)) << dataset;
    EXPECT_EQ(reader.decode_kernel(2).decoded_bytes, read.size()) << dataset;  // scratch: same work, no output
    std::vector<std::byte> short_out(read.size() - 1);
    try {
      reader.decode_kernel(2, short_out);
      ADD_FAILURE() << dataset << ": a short kernel output was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
    }
  }
}

TEST_F(IoParallelRead, ZstdChunksWrittenByH5digReadBack) {
  // No Debian plugin writes zstd, so h5dig writes the chunks itself and the
  // expected bytes are the array it wrote.
  const fs::path file = dir_->path() / "zstd.h5";
  const std::vector<hsize_t> dims{13, 50}, chunk{4, 16};
  std::vector<std::uint16_t> data(13 * 50);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint16_t>((i * 7919) % 23);
  {
    h5::File f = h5::File::create(file);
    h5::PropList dcpl = h5::PropList::create(H5P_DATASET_CREATE);
    h5::check(H5Pset_chunk(dcpl.id(), 2, chunk.data()), "H5Pset_chunk");
    codec::FilterSpec zstd{codec::kZstdId, 0, {3}, "zstd"};
    h5::write_filter_specs(dcpl, {zstd});
    h5::Dataspace space = h5::Dataspace::simple(dims);
    h5::Dataset ds(h5::check_id(
        H5Dcreate2(f.id(), "z", H5T_STD_U16LE, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT), "H5Dcreate2"));
    codec::Pipeline pipeline({zstd}, 2);
    codec::Workspace ws;
    for (hsize_t r = 0; r < 13; r += 4) {
      for (hsize_t c = 0; c < 50; c += 16) {
        if (r == 4 && c == 16) continue;  // leave one chunk unallocated (fill value 0)
        std::vector<std::uint16_t> block(4 * 16, 0);
        for (hsize_t i = 0; i < 4 && r + i < 13; ++i)
          for (hsize_t j = 0; j < 16 && c + j < 50; ++j) block[i * 16 + j] = data[(r + i) * 50 + c + j];
        auto enc = pipeline.encode(std::as_bytes(std::span(block)), ws);
        std::vector<hsize_t> off{r, c};
        ds.write_chunk(off, enc.filter_mask, enc.bytes);
      }
    }
  }
  for (hsize_t i = 4; i < 8; ++i)
    for (hsize_t j = 16; j < 32; ++j) data[i * 50 + j] = 0;
  ParallelReader reader(file.string(), "z");
  for (std::size_t t : {1, 2, 7}) {
    auto got = read_selection(reader, "", {.threads = t});
    ASSERT_EQ(got.size(), data.size() * 2);
    EXPECT_EQ(std::memcmp(got.data(), data.data(), got.size()), 0) << t << " threads";
  }
  auto part = read_selection(reader, "3:9,10:40", {.threads = 2});
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = 0; j < 30; ++j) {
      std::uint16_t v;
      std::memcpy(&v, part.data() + (i * 30 + j) * 2, 2);
      ASSERT_EQ(v, data[(3 + i) * 50 + 10 + j]) << i << "," << j;
    }
}

// numpy basic indexing, as h5py's d[...] applies it: steps (read per chunk as
// the whole chunk, copied with stride), clamped and negative bounds, integer
// members dropping a dimension; chunked, contiguous, compact, virtual and
// fallback layouts, at one and three threads.
TEST_F(IoParallelRead, NumpySelectionsEqualH5py) {
  std::ifstream in(dir_->path() / "numpy_cases.txt");
  std::string line;
  std::size_t n = 0, stepped = 0;
  std::ostringstream notes;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string file, dataset, text, expected, shape_text;
    ls >> file >> dataset >> text >> expected >> shape_text;
    if (text == "-") text.clear();
    if (shape_text == "-") shape_text.clear();
    ParallelReader reader(file, dataset);
    NumpySelection ns = parse_numpy_selection(text, reader.shape());
    std::string got_shape;
    for (auto v : ns.shape) got_shape += (got_shape.empty() ? "" : ",") + std::to_string(v);
    EXPECT_EQ(got_shape, shape_text) << dataset << " [" << text << "]";
    stepped += ns.selection.has_steps();
    std::vector<std::byte> out(reader.output_bytes(ns.selection));
    ReadOptions options{.threads = 1 + 2 * (n++ % 2), .notes = &notes};
    reader.read(ns.selection, out, options);
    EXPECT_EQ(as_string(out), test::read_file(dir_->path() / expected))
        << dataset << " [" << text << "] = " << to_string(ns.selection) << " (" << reader.describe() << ")";
    if (n % 5 == 0) {  // and HDF5's own strided hyperslab gives the same bytes
      std::vector<std::byte> ref(out.size());
      reader.read_hdf5(ns.selection, ref);
      EXPECT_EQ(as_string(ref), as_string(out)) << dataset << " [" << text << "] via H5Dread";
    }
  }
  EXPECT_GT(n, 200u);
  EXPECT_GT(stepped, 50u);
}

TEST(IoNumpySelection, ClampsStepsDropsAndRefuses) {
  const std::vector<std::uint64_t> shape{4, 1024, 1024};
  NumpySelection s = parse_numpy_selection(" 0 , 1:3 ,2", shape);
  EXPECT_EQ(s.shape, (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(to_string(s.selection), "0:1,1:3,2:3");
  s = parse_numpy_selection("3,::100,::200", shape);
  EXPECT_EQ(s.shape, (std::vector<std::uint64_t>{11, 6}));
  EXPECT_EQ(to_string(s.selection), "3:4,0:1001:100,0:1001:200");
  s = parse_numpy_selection("2:100000,1000:,1020", shape);
  EXPECT_EQ(s.shape, (std::vector<std::uint64_t>{2, 24}));
  s = parse_numpy_selection("0,5:5,0:2", shape);
  EXPECT_EQ(s.shape, (std::vector<std::uint64_t>{0, 2}));
  EXPECT_EQ(s.selection.element_count(), 0u);
  s = parse_numpy_selection("-1", shape);
  EXPECT_EQ(to_string(s.selection), "3:4,0:1024,0:1024");
  EXPECT_EQ(parse_numpy_selection("", shape).shape, shape);
  for (const char* bad : {"abc", "1:2:3:4", "0,0,0,0", "9", "-5", "0:3:0", "0:3:-1", "1.5", "0;1", ","}) {
    try {
      parse_numpy_selection(bad, shape);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << bad;
      EXPECT_TRUE(std::string(e.what()).starts_with(std::string("selection '") + bad + "': ")) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  try {
    parse_numpy_selection("0:3:0", shape);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("step must be >= 1"), std::string::npos) << e.what();
  }
}

TEST_F(IoParallelRead, SelectionsOutsideTheShapeAreUsageErrors) {
  ParallelReader reader(path("default.h5").string(), "edges");
  for (const char* bad : {"0:51", "50:51", "5:3", ":,:,:,:", "0:10:2", "x", "-51", ":,37"}) {
    try {
      parse_selection(bad, reader.shape());
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << bad;
    }
  }
  EXPECT_EQ(to_string(parse_selection("-10:,5,", reader.shape())), "40:50,5:6,0:23");
  EXPECT_EQ(to_string(parse_selection(" : , 1:-1 ", reader.shape())), "0:50,1:36,0:23");
  Selection sel{{0, 0, 20}, {1, 1, 4}};
  std::vector<std::byte> out(8);
  try {
    reader.read(sel, out);
    ADD_FAILURE() << "read outside the shape";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
}

TEST_F(IoParallelRead, VerifyReportsTheFirstDifferentElement) {
  ParallelReader reader(path("default.h5").string(), "edges");
  Selection sel = parse_selection("3:9,:,5:7", reader.shape());
  std::vector<std::byte> out(reader.output_bytes(sel));
  reader.read(sel, out, {.threads = 2});
  EXPECT_NO_THROW(verify_selection(reader, sel, out));
  out[(2 * 37 * 2 + 4 * 2 + 1) * 2] ^= std::byte{1};  // element (2,4,1) of the selection
  try {
    verify_selection(reader, sel, out);
    ADD_FAILURE() << "difference not found";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::verify);
    EXPECT_NE(std::string(e.what()).find("element (5,4,6)"), std::string::npos) << e.what();
  }
}

TEST(IoNpy, HeaderIsVersionOneAndAligned) {
  std::uint64_t shape[] = {200, 1024, 1024};
  std::string h = npy_header("<u2", shape);
  EXPECT_EQ(h.size() % 64, 0u);
  EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_NE(h.find("{'descr': '<u2', 'fortran_order': False, 'shape': (200, 1024, 1024), }"), std::string::npos);
  EXPECT_EQ(h.back(), '\n');
  std::uint64_t one[] = {5};
  EXPECT_NE(npy_header(">f8", one).find("'shape': (5,)"), std::string::npos);
}

// ---------------------------------------------------------------- the binary

TEST_F(IoParallelRead, CommandWritesNpyAndRawThatNumpyReads) {
  const fs::path npy = dir_->path() / "out" / "part.npy";
  const fs::path raw = dir_->path() / "out" / "part.bin";
  fs::create_directories(npy.parent_path());
  const std::string obj = path("default.h5").string() + "/be_f4";
  auto r = test::run_h5dig({"read", "-t", "2", "--select", "2:19,3:30", "-o", npy.string(), "--verify", obj});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("read "), std::string::npos);
  EXPECT_NE(r.err.find("identical to H5Dread"), std::string::npos) << r.err;
  r = test::run_h5dig({"read", "--select", "2:19,3:30", "-o", raw.string(), obj});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::run_python(R"PY(
import sys, h5py, numpy as np
a = np.load(sys.argv[1])
ref = h5py.File(sys.argv[3], 'r')['be_f4'][2:19, 3:30]
assert a.dtype == np.dtype('>f4') and a.shape == ref.shape, (a.dtype, a.shape)
assert a.tobytes() == ref.tobytes()
assert open(sys.argv[2], 'rb').read() == ref.tobytes()
)PY",
                   {npy.string(), raw.string(), path("default.h5").string()});
  // no temporary files left beside the outputs
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(npy.parent_path())) ++entries;
  EXPECT_EQ(entries, 2u);
}

TEST_F(IoParallelRead, CommandExitCodes) {
  const std::string obj = path("default.h5").string() + "/edges";
  auto r = test::run_h5dig({"read", "--select", "0:51", obj});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("outside"), std::string::npos) << r.err;
  r = test::run_h5dig({"read", path("default.h5").string() + "/nope"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  r = test::run_h5dig({"read", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  r = test::run_h5dig({"read", "-t", "7", "--verify", path("latest.h5").string() + "/earray"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A full disk while `read -o` writes: one line, exit 1, nothing left behind
// (the blocks are reserved up front; a sparse mapped file would die of SIGBUS).
// Needs a small filesystem: a 64 KiB tmpfs in a private mount namespace (root).
TEST_F(IoParallelRead, DiskFullOnOutputIsOneLineExit1AndNoFile) {
  test::TempDir dir;
  auto probe = test::run({"unshare", "-m", "true"});
  if (probe.exit_code != 0) GTEST_SKIP() << "needs root for a private tmpfs: " << probe.err;
  const std::string obj = path("default.h5").string() + "/edges";  // 85 KB > 64 KiB
  std::string script = "mount -t tmpfs -o size=64k tmpfs \"$1\" && \"$0\" read -o \"$1/out.npy\" \"$2\"; "
                       "code=$?; ls -a \"$1\"; exit $code";
  auto r = test::run({"unshare", "-m", "bash", "-c", script, test::h5dig_binary().string(), dir.path().string(), obj});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out.npy"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, ".\n..\n") << "left behind: " << r.out;
}

// Overwrites `count` bytes at `at` bytes into chunk `chunk_index` of a copy of
// `dataset`, and returns the copy's path and the chunk's coordinates.
std::pair<fs::path, std::string> corrupt_copy(const fs::path& dir, const std::string& name, const std::string& create,
                                              std::size_t at, std::size_t count) {
  const fs::path file = dir / (name + ".h5");
  auto r = test::run_python(R"PY(
import sys, h5py, numpy as np
path, create, at, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with h5py.File(path, 'w') as f:
    exec(create)
with h5py.File(path, 'r') as f:
    info = f['d'].id.get_chunk_info(3)
with open(path, 'r+b') as raw:
    raw.seek(info.byte_offset + at)
    raw.write(bytes((0x5a + i) & 0xff for i in range(count)))
print(','.join(str(o) for o in info.chunk_offset))
)PY",
                            {file.string(), create, std::to_string(at), std::to_string(count)});
  std::string coords = r.out.substr(0, r.out.find('\n'));
  return {file, coords};
}

TEST_F(IoParallelRead, CorruptChunkStopsTheReadNamingFileDatasetChunkAndFilter) {
  struct Bad {
    std::string name, create, filter;
    std::size_t at, count;
  };
  const std::vector<Bad> bad = {
      {"bad_deflate", "f.create_dataset('d', data=np.arange(20000, dtype='<u2').reshape(20, 1000), chunks=(2, 1000), "
                      "compression='gzip', shuffle=True)",
       "deflate", 2, 40},
      {"bad_fletcher", "f.create_dataset('d', data=np.arange(20000, dtype='<u2').reshape(20, 1000), chunks=(2, 1000), "
                       "fletcher32=True)",
       "fletcher32", 100, 4},
      {"bad_bslz4", "f.create_dataset('d', data=np.arange(20000, dtype='<u2').reshape(20, 1000), chunks=(2, 1000), "
                    "compression=32008, compression_opts=(0, 2))",
       "bitshuffle", 12, 4},
  };
  for (const Bad& b : bad) {
    auto [file, coords] = corrupt_copy(dir_->path(), b.name, b.create, b.at, b.count);
    ASSERT_EQ(coords, "6,0");
    const fs::path out_dir = dir_->path() / ("out_" + b.name);
    fs::create_directories(out_dir);
    for (const char* threads : {"1", "2"}) {
      auto r = test::run_h5dig({"read", "-t", threads, "-o", (out_dir / "x.npy").string(), file.string() + "/d"});
      EXPECT_EQ(r.exit_code, 1) << b.name << ": " << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
      EXPECT_NE(r.err.find(file.string() + "/d: chunk (6,0)"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(b.filter), std::string::npos) << r.err;
      EXPECT_TRUE(fs::is_empty(out_dir)) << b.name << ": output left behind";
    }
  }
}

}  // namespace
}  // namespace h5dig::io

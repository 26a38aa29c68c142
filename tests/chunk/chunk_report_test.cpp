// h5dig chunks: text/csv/json/kerchunk reports, through the library function
// and end to end through the binary.
#include "h5dig/chunk/chunk_report.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstring>
#include <sstream>

#include "chunk/fixtures_py.hpp"
#include "h5dig/chunk/chunk_map.hpp"
#include "h5dig/h5/objects.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

struct ReportFiles {
  TempDir dir;
  std::filesystem::path classic = dir / "default.h5";
  std::filesystem::path latest = dir / "latest.h5";
  ReportFiles() {
    test::run_python(test::kChunkFixtureScript, {classic.string(), "default", "512"});
    test::run_python(test::kChunkFixtureScript, {latest.string(), "latest", "0"});
  }
};

ReportFiles& report_files() {
  static ReportFiles f;
  return f;
}

std::string report(const std::filesystem::path& file, const std::string& dset, chunk::ReportFormat fmt) {
  std::ostringstream out;
  chunk::run_chunks(out, file.string() + "/" + dset, fmt);
  return out.str();
}

TEST(ChunkReport, JsonIsTheAgreedShapeAndMatchesHdf5) {
  for (const auto* path : {&report_files().classic, &report_files().latest}) {
    auto doc = nlohmann::json::parse(report(*path, "sparse_gzip", chunk::ReportFormat::json));
    ASSERT_EQ(doc.size(), 2u);
    EXPECT_EQ(doc["chunk_shape"], nlohmann::json({10, 10}));
    auto file = h5::File::open(*path);
    auto api = chunk::map_chunks(file.root().open_dataset("sparse_gzip"), chunk::MapMethod::hdf5_api);
    api.sort();
    ASSERT_EQ(doc["chunks"].size(), api.size());
    for (std::size_t i = 0; i < api.size(); ++i) {
      const auto& c = doc["chunks"][i];
      ASSERT_EQ(c.size(), 4u);
      EXPECT_EQ(c["offset"].get<std::vector<std::uint64_t>>(),
                std::vector<std::uint64_t>(api.offset(i).begin(), api.offset(i).end()));
      EXPECT_EQ(c["filter_mask"], api.record(i).filter_mask);
      EXPECT_EQ(c["byte_offset"], api.record(i).byte_offset);
      EXPECT_EQ(c["size"], api.record(i).size);
    }
  }
  auto empty = nlohmann::json::parse(report(report_files().latest, "empty", chunk::ReportFormat::json));
  EXPECT_TRUE(empty["chunks"].empty());
}

TEST(ChunkReport, CsvHasOneRowPerChunk) {
  auto csv = report(report_files().latest, "bt2", chunk::ReportFormat::csv);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "offset_0,offset_1,filter_mask,byte_offset,size");
  std::size_t rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 12u * 9u);
}

TEST(ChunkReport, TextSummaryCountsUnallocatedAndRatio) {
  auto text = report(report_files().classic, "sparse", chunk::ReportFormat::text);
  EXPECT_NE(text.find("chunks:             3 allocated of 100 (97 unallocated)"), std::string::npos) << text;
  EXPECT_NE(text.find("logical bytes:      1200 B (1.2 kB)"), std::string::npos) << text;
  EXPECT_NE(text.find("compression ratio:  1.00"), std::string::npos) << text;
  EXPECT_NE(text.find("index:              btree1"), std::string::npos) << text;
  auto gz = report(report_files().latest, "edge_gzip", chunk::ReportFormat::text);
  EXPECT_NE(gz.find("index:              farray"), std::string::npos) << gz;
  EXPECT_NE(gz.find("smallest"), std::string::npos) << gz;
}

// Reads kerchunk references the way zarr v2 + numcodecs would (filters undone
// in reverse order, missing chunks = fill value) and compares with h5py.
constexpr const char* kKerchunkCheck = R"PY(
import sys, json, zlib, struct, h5py, numpy as np
refs_path, h5path, name = sys.argv[1], sys.argv[2], sys.argv[3]
refs = json.load(open(refs_path))['refs']
meta = json.loads(refs[name + '/.zarray'])
assert meta['zarr_format'] == 2 and meta['compressor'] is None and meta['order'] == 'C'
dtype = np.dtype(meta['dtype'])
shape, chunks = meta['shape'], meta['chunks']
grid = [-(-s // c) for s, c in zip(shape, chunks)]
full = np.full([g * c for g, c in zip(grid, chunks)], meta['fill_value'], dtype=dtype)
n = 0
for key, ref in refs.items():
    if not key.startswith(name + '/') or key.split('/')[-1].startswith('.'):
        continue
    url, off, size = ref
    with open(url, 'rb') as f:
        f.seek(off); b = f.read(size)
    for flt in reversed(meta['filters'] or []):
        if flt['id'] == 'fletcher32':
            b = b[:-4]
        elif flt['id'] == 'zlib':
            b = zlib.decompress(b)
        elif flt['id'] == 'shuffle':
            es = flt['elementsize']
            b = np.frombuffer(b, 'u1').reshape(es, -1).T.tobytes()
        else:
            raise SystemExit('unexpected filter ' + flt['id'])
    idx = [int(i) for i in key.split('/')[-1].split('.')]
    sl = tuple(slice(i * c, (i + 1) * c) for i, c in zip(idx, chunks))
    full[sl] = np.frombuffer(b, dtype).reshape(chunks)
    n += 1
want = h5py.File(h5path, 'r')[name][...]
got = full[tuple(slice(0, s) for s in shape)]
assert np.array_equal(got, want), (name, got, want)
print(n)
)PY";

TEST(ChunkReport, KerchunkReferencesDecodeToWhatH5pyReads) {
  for (const auto* path : {&report_files().classic, &report_files().latest}) {
    for (const char* name : {"edge_gzip", "fletcher", "sparse", "ext_gzip", "bt2_gzip", "implicit"}) {
      SCOPED_TRACE(std::string(name) + " in " + path->string());
      TempDir dir;
      auto refs = dir / "refs.json";
      test::write_file(refs, report(*path, name, chunk::ReportFormat::kerchunk));
      auto r = test::run_python(kKerchunkCheck, {refs.string(), path->string(), name});
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
  }
}

TEST(ChunkReport, KerchunkRefusesFiltersZarrCannotRead) {
  TempDir dir;
  auto path = dir / "plugins.h5";
  test::run_python(R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('lz4', data=np.arange(100), chunks=(10,), compression=32004)
    f.create_dataset('bitshuffle', data=np.arange(100), chunks=(10,), compression=32008, compression_opts=(0, 2))
)PY",
                   {path.string()});
  for (const char* name : {"lz4", "bitshuffle"}) {
    try {
      report(path, name, chunk::ReportFormat::kerchunk);
      ADD_FAILURE() << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unsupported);
      EXPECT_NE(std::string(e.what()).find(std::string("filter ") + name), std::string::npos) << e.what();
    }
  }
}

TEST(ChunksCli, EndToEndExitCodes) {
  const auto& f = report_files();
  auto ok = test::run_h5dig({"chunks", "--format", "json", f.latest.string() + "/bt2_gzip"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(nlohmann::json::parse(ok.out)["chunks"].size(), 900u);
  auto missing = test::run_h5dig({"chunks", f.latest.string() + "/nope"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  auto bad_format = test::run_h5dig({"chunks", "--format", "xml", f.latest.string() + "/bt2"});
  EXPECT_EQ(bad_format.exit_code, 2);
  TempDir dir;
  auto contiguous = dir / "c.h5";
  test::run_python("import h5py,sys\nwith h5py.File(sys.argv[1],'w') as f: f['x']=[1,2,3]\n", {contiguous.string()});
  auto notchunked = test::run_h5dig({"chunks", contiguous.string() + "/x"});
  EXPECT_EQ(notchunked.exit_code, 2);
  EXPECT_NE(notchunked.err.find("not chunked"), std::string::npos) << notchunked.err;
  // A damaged index: one line on stderr naming the structure, exit 1.
  auto image = test::read_file(f.classic);
  std::uint64_t index = 0;
  {
    auto file = h5::File::open(f.classic);
    auto d = file.root().open_dataset("many");
    auto map = chunk::map_chunks(d);
    ASSERT_EQ(map.source(), "btree1");
  }
  auto damaged = dir / "damaged.h5";
  for (auto pos = image.find("TREE"); pos != std::string::npos; pos = image.find("TREE", pos + 4)) {
    if (image[pos + 4] == 1) image[pos + 1] = 'X', ++index;  // raw-data chunk nodes only
  }
  ASSERT_GT(index, 0u);
  test::write_file(damaged, image);
  auto corrupt = test::run_h5dig({"chunks", damaged.string() + "/many"});
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_NE(corrupt.err.find("v1 B-tree node at address"), std::string::npos) << corrupt.err;
  EXPECT_EQ(std::count(corrupt.err.begin(), corrupt.err.end(), '\n'), 1) << corrupt.err;
}

// Paged extensible-array data blocks start past 131,060 chunks (default
// parameters); pages of a sparse fixed array stay unwritten. Too many chunks
// to ask H5Dget_chunk_info for each (quadratic), so: the count must equal
// H5Dget_num_chunks and sampled chunks must be where H5Dread_chunk finds them.
TEST(ChunkMapLarge, PagedExtensibleAndSparsePagedFixedArrays) {
  TempDir dir;
  auto path = dir / "big.h5";
  test::run_python(R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w', libver='latest') as f:
    e = f.create_dataset('ext', shape=(0,), maxshape=(None,), dtype='u1', chunks=(1,))
    e.resize((140000,))
    e[...] = (np.arange(140000) % 251).astype('u1')
    e[135000:135010] = 0
    s = f.create_dataset('sparse', shape=(8000,), dtype='u1', chunks=(1,))
    s[10] = 1
    s[5000:5003] = 2
    s[7999] = 3
)PY",
                   {path.string()});
  auto file = h5::File::open(path);
  for (const char* name : {"ext", "sparse"}) {
    SCOPED_TRACE(name);
    auto d = file.root().open_dataset(name);
    auto map = chunk::map_chunks(d, chunk::MapMethod::format);
    EXPECT_EQ(map.source(), std::string(name) == "ext" ? "earray" : "farray");
    EXPECT_EQ(map.size(), std::string(name) == "ext" ? 140000u : 5u);
    std::vector<std::byte> raw;
    const auto image = test::read_file(path);
    for (std::size_t i = 0; i < map.size(); i += (map.size() > 100 ? 997 : 1)) {
      std::vector<hsize_t> off(map.offset(i).begin(), map.offset(i).end());
      std::uint32_t mask = 0;
      d.read_chunk(off, mask, raw);
      ASSERT_EQ(raw.size(), map.record(i).size);
      ASSERT_EQ(0, std::memcmp(image.data() + map.record(i).byte_offset, raw.data(), raw.size())) << i;
    }
  }
}

}  // namespace
}  // namespace h5dig

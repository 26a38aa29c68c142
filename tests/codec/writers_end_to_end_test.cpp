// szip, LZF, bzip2 and LZO end to end through the h5dig binary, on files the
// writers themselves make: h5py (szip through HDF5's built-in filter, LZF
// through h5py's), Debian's bzip2 plugin, PyTables (LZO, bzip2), and the
// PyTables test files Debian ships. `read` decodes them (checked against
// H5Dread where this process's HDF5 can decode them, against h5py/PyTables'
// values where it cannot); `repack --filter` writes them so that h5py, the
// plugin and PyTables read them back; `chunks` and `ls -v` show them as HDF5
// does, with and without the plugins; damaged chunks give one line.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

// Writes FILE with one dataset per filter, each by its own writer. The data:
// detector-like counts, text-like bytes, floats, and a chunk of noise in each
// dataset (stored raw by writers whose filter gives up on it).
const char* kWriteForeign = R"(
import sys, numpy as np, tables, h5py
path = sys.argv[1]
rng = np.random.default_rng(7)
def frames(dtype, shape):
    a = rng.poisson(0.8, shape).astype(dtype)
    a.reshape(-1)[-(a.size // shape[0]):] = rng.integers(0, 2**31, a.size // shape[0]).astype(dtype)  # noise chunk
    return a
with h5py.File(path, 'w') as f:
    f.create_dataset('szip_u16', data=frames('<u2', (6, 40, 100)), chunks=(1, 40, 100), compression='szip')
    f.create_dataset('szip_ec_f8', data=rng.random((4, 3000)), chunks=(1, 3000), compression='szip',
                     compression_opts=('ec', 32))
    f.create_dataset('szip_be_i4', data=frames('>i4', (4, 33, 30)), chunks=(1, 33, 30), compression='szip',
                     compression_opts=('nn', 16))
    f.create_dataset('lzf_u16', data=frames('<u2', (6, 64, 64)), chunks=(1, 64, 64), compression='lzf')
    f.create_dataset('shuf_lzf_f4', data=rng.random((5, 50, 20)).astype('<f4'), chunks=(2, 25, 20),
                     compression='lzf', shuffle=True)
    f.create_dataset('bz_plugin_i8', data=frames('<i8', (4, 500)), chunks=(1, 500), compression=307,
                     compression_opts=(4,))
with tables.open_file(path, 'a') as t:
    filt = lambda lib, lvl=1, shuffle=False: tables.Filters(complevel=lvl, complib=lib, shuffle=shuffle)
    t.create_carray('/', 'lzo_u16', obj=frames('<u2', (6, 64, 64)), chunkshape=(1, 64, 64), filters=filt('lzo'))
    t.create_carray('/', 'shuf_lzo_i4', obj=frames('<i4', (4, 70, 30)), chunkshape=(1, 35, 30),
                    filters=filt('lzo', 5, True))
    e = t.create_earray('/', 'bz_pt_f8', atom=tables.Float64Atom(), shape=(0, 300), chunkshape=(2, 300),
                        filters=filt('bzip2', 9, True))
    e.append(rng.random((7, 300)))
    tb = t.create_table('/', 'lzo_table', {'a': tables.Int32Col(), 'b': tables.Float64Col(), 's': tables.StringCol(7)},
                        filters=filt('lzo'), chunkshape=(64,))
    tb.append([(i, i / 3, b'row%d' % i) for i in range(500)])
)";

// Writes every dataset of FILE (or the listed ones) as DIR/<name>.npy, read by
// PyTables (which decodes its own filters and, through HDF5, szip, LZF and the
// plugin's bzip2).
const char* kDumpWithPyTables = R"(
import sys, os, numpy as np, tables
path, d = sys.argv[1], sys.argv[2]
names = sys.argv[3:]
with tables.open_file(path) as t:
    for node in t.walk_nodes('/', 'Leaf'):
        name = node._v_pathname.lstrip('/')
        if names and name not in names: continue
        np.save(os.path.join(d, name.replace('/', '_') + '.npy'), node.read())
)";

// Compares DIR/<name>.npy (PyTables) with DIR/<name>.h5dig.npy (h5dig): the
// same values (PyTables reads into native byte order, h5dig keeps the stored one).
const char* kCompareNpy = R"(
import sys, os, numpy as np
d = sys.argv[1]
for name in sys.argv[2:]:
    want = np.load(os.path.join(d, name + '.npy'))
    got = np.load(os.path.join(d, name + '.h5dig.npy'))
    assert got.dtype.newbyteorder('=') == want.dtype.newbyteorder('='), (name, got.dtype, want.dtype)
    assert got.shape == want.shape and np.array_equal(got, want), name
    print('OK', name)
)";

struct ForeignFile {
  TempDir dir;
  std::filesystem::path path = dir / "foreign.h5";
  ForeignFile() { test::run_python(kWriteForeign, {path.string()}); }
};

ForeignFile& foreign() {
  static ForeignFile f;
  return f;
}

std::string object(const std::string& name) { return foreign().path.string() + "/" + name; }

// HDF5 in this process decodes szip (built in), LZF and bzip2 (Debian's
// plugins, found on HDF5's default plugin path): `read --verify` compares
// h5dig's decoders with H5Dread.
TEST(WritersEndToEnd, ReadVerifiesAgainstHdf5) {
  for (const char* name : {"szip_u16", "szip_ec_f8", "szip_be_i4", "lzf_u16", "shuf_lzf_f4", "bz_plugin_i8",
                           "bz_pt_f8"}) {
    auto r = test::run_h5dig({"read", "-t", "2", "--verify", object(name)});
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    EXPECT_NE(r.err.find("chunked (pread); verified: identical to H5Dread"), std::string::npos)
        << name << ": not read by h5dig's decoders\n" << r.err;
  }
}

// LZO has no plugin: h5dig's values must equal PyTables'.
TEST(WritersEndToEnd, ReadEqualsPyTablesValues) {
  TempDir out;
  std::vector<std::string> names = {"lzo_u16", "shuf_lzo_i4", "bz_pt_f8", "szip_be_i4", "lzf_u16"};
  std::vector<std::string> args = {foreign().path.string(), out.path().string()};
  args.insert(args.end(), names.begin(), names.end());
  test::run_python(kDumpWithPyTables, args);
  for (const auto& name : names) {
    auto r = test::run_h5dig({"read", "-o", (out / (name + ".h5dig.npy")).string(), object(name)});
    ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.err;
  }
  std::vector<std::string> cmp = {out.path().string()};
  cmp.insert(cmp.end(), names.begin(), names.end());
  auto r = test::run_python(kCompareNpy, cmp);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // HDF5 cannot decode LZO here: --verify has nothing to compare with, and says so in one line.
  r = test::run_h5dig({"read", "--verify", object("lzo_u16")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "h5dig: " + object("lzo_u16") +
                       ": verify: H5Dread failed: can't read data (required filter 'lzo' is not registered)\n");
}

// A PyTables table (compound records) compressed with LZO: h5dig's raw bytes
// are the records PyTables reads.
TEST(WritersEndToEnd, LzoTableRecordsEqualPyTables) {
  TempDir out;
  auto r = test::run_h5dig({"read", "-o", (out / "table.bin").string(), object("lzo_table")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_python(R"(
import sys, numpy as np, tables
with tables.open_file(sys.argv[1]) as t:
    want = t.root.lzo_table.read()
got = open(sys.argv[2], 'rb').read()
assert got == want.tobytes(), (len(got), want.nbytes)
)",
                       {foreign().path.string(), (out / "table.bin").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Every chunk's filter mask, offset and size as H5Dget_chunk_info reports
// them, including the chunks the writers stored raw.
TEST(WritersEndToEnd, ChunksMatchHdf5AndShowSkippedFilters) {
  const char* kChunkInfo = R"(
import sys, json, h5py
with h5py.File(sys.argv[1], 'r') as f:
    d = f[sys.argv[2]]
    out = []
    for i in range(d.id.get_num_chunks()):
        c = d.id.get_chunk_info(i)
        out.append([list(c.chunk_offset), c.filter_mask, c.byte_offset, c.size])
    print(json.dumps(out))
)";
  bool saw_skipped = false;
  for (const char* name : {"szip_u16", "lzf_u16", "bz_plugin_i8", "lzo_u16", "shuf_lzo_i4", "bz_pt_f8"}) {
    auto r = test::run_h5dig({"chunks", "--format", "json", object(name)});
    ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    auto ours = nlohmann::json::parse(r.out)["chunks"];
    auto theirs = nlohmann::json::parse(test::run_python(kChunkInfo, {foreign().path.string(), name}).out);
    ASSERT_EQ(ours.size(), theirs.size()) << name;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      EXPECT_EQ(ours[i]["offset"], theirs[i][0]) << name;
      EXPECT_EQ(ours[i]["filter_mask"], theirs[i][1]) << name;
      EXPECT_EQ(ours[i]["byte_offset"], theirs[i][2]) << name;
      EXPECT_EQ(ours[i]["size"], theirs[i][3]) << name;
      saw_skipped = saw_skipped || ours[i]["filter_mask"] != 0;
    }
  }
  EXPECT_TRUE(saw_skipped) << "no chunk was stored raw: the noise chunks should have been";
}

// `ls -v` lists these files as h5ls does, whether the plugins are on HDF5's
// path or not (the filter names come from the file).
TEST(WritersEndToEnd, LsVerboseEqualsH5lsWithAndWithoutPlugins) {
  TempDir empty;
  for (bool plugins : {true, false}) {
    std::vector<std::string> env;
    std::vector<std::string> h5ls = {"h5ls", "-r", "-v", foreign().path.string()};
    std::vector<std::string> ours = {"ls", "-r", "-v", foreign().path.string()};
    test::CommandResult a, b;
    if (plugins) {
      a = test::run(h5ls);
      b = test::run_h5dig(ours);
    } else {
      std::vector<std::string> with_env = {"env", "HDF5_PLUGIN_PATH=" + empty.path().string()};
      auto h = with_env;
      h.insert(h.end(), h5ls.begin(), h5ls.end());
      auto o = with_env;
      o.push_back(test::h5dig_binary().string());
      o.insert(o.end(), ours.begin(), ours.end());
      a = test::run(h);
      b = test::run(o);
    }
    EXPECT_EQ(a.exit_code, b.exit_code) << plugins;
    EXPECT_EQ(b.out, a.out) << (plugins ? "with" : "without") << " plugins";
    EXPECT_NE(a.out.find("lzo-305"), std::string::npos);
    EXPECT_NE(a.out.find("szip-4"), std::string::npos);
  }
}

// h5dig writes each filter; the writers' readers get the data back: h5py
// (szip, LZF, the bzip2 plugin) and PyTables (LZO, bzip2, and the others
// through HDF5).
TEST(WritersEndToEnd, RepackedFilesReadBackInTheWritersTools) {
  TempDir dir;
  const auto in = dir / "in.h5";
  test::run_python(R"(
import sys, numpy as np, h5py
rng = np.random.default_rng(3)
with h5py.File(sys.argv[1], 'w') as f:
    a = rng.poisson(0.6, (7, 50, 90)).astype('<u2')
    a[-1] = rng.integers(0, 65535, (50, 90))          # a chunk of noise
    f.create_dataset('data', data=a, chunks=(1, 50, 90))
)",
                   {in.string()});
  for (const char* filter : {"szip", "szip=ec:32", "shuffle,lzf", "lzf", "bzip2=3", "lzo", "shuffle,lzo,fletcher32"}) {
    std::string out = (dir / (std::string("out_") + std::to_string(std::hash<std::string>{}(filter)) + ".h5")).string();
    auto r = test::run_h5dig({"repack", "--filter", filter, "--chunks", "2,25,90", in.string() + "/data", out});
    ASSERT_EQ(r.exit_code, 0) << filter << "\n" << r.err;
    auto py = test::run_python(R"(
import sys, numpy as np, tables, h5py   # tables first: its LZO and bzip2 filters serve h5py too
with h5py.File(sys.argv[1], 'r') as f:
    want = f['data'][()]
with h5py.File(sys.argv[2], 'r') as f:
    assert np.array_equal(f['data'][()], want), 'h5py'
    assert f['data'].chunks == (2, 25, 90)
with tables.open_file(sys.argv[2]) as t:
    assert np.array_equal(t.root.data.read(), want), 'pytables'
print('OK')
)",
                               {in.string(), out});
    EXPECT_EQ(py.exit_code, 0) << filter << "\n" << py.err;
    // Filters HDF5 decodes in this process: H5Dread agrees with h5dig.
    if (std::string(filter).find("lzo") == std::string::npos) {
      r = test::run_h5dig({"read", "--verify", out + "/data"});
      EXPECT_EQ(r.exit_code, 0) << filter << "\n" << r.err;
    }
  }
}

// h5dig's files list under h5ls -v with the Filter lines h5py's do for the
// same filters (szip's set_local values, LZF's chunk size, the bzip2 plugin's
// name and block size).
TEST(WritersEndToEnd, RepackedFilterLinesEqualH5pys) {
  TempDir dir;
  test::run_python(R"(
import sys, numpy as np, h5py
a = np.arange(7 * 50 * 90, dtype='<u2').reshape(7, 50, 90) % 200
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('data', data=a, chunks=(1, 50, 90))
with h5py.File(sys.argv[2], 'w') as f:
    f.create_dataset('szip', data=a, chunks=(2, 25, 90), compression='szip', compression_opts=('ec', 16))
    f.create_dataset('lzf', data=a, chunks=(2, 25, 90), compression='lzf')
    f.create_dataset('bzip2', data=a, chunks=(2, 25, 90), compression=307, compression_opts=(5,))
)",
                   {(dir / "in.h5").string(), (dir / "h5py.h5").string()});
  auto filter_lines = [](const std::string& listing) {
    std::string out;
    for (std::size_t pos = 0; (pos = listing.find("Filter-", pos)) != std::string::npos;) {
      auto end = listing.find('\n', pos);
      out += listing.substr(pos, end - pos) + "\n";
      pos = end;
    }
    return out;
  };
  for (auto [name, filter] : {std::pair{"szip", "szip=ec:16"}, std::pair{"lzf", "lzf"}, std::pair{"bzip2", "bzip2=5"}}) {
    auto out = (dir / (std::string(name) + ".h5")).string();
    auto r = test::run_h5dig({"repack", "--filter", filter, "--chunks", "2,25,90", (dir / "in.h5").string() + "/data",
                              out + "/" + name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto ours = test::run({"h5ls", "-v", out + "/" + name});
    auto theirs = test::run({"h5ls", "-v", (dir / "h5py.h5").string() + "/" + name});
    EXPECT_FALSE(filter_lines(ours.out).empty()) << ours.out;
    EXPECT_EQ(filter_lines(ours.out), filter_lines(theirs.out)) << name;
  }
}

// Repacking a whole file with szip leaves it off where it does not apply
// (compounds, strings, chunks smaller than a block), as h5repack does: the
// same datasets get the same Filter lines as `h5repack -f SZIP=8,NN`.
TEST(WritersEndToEnd, RepackingAFileWithSzipSkipsWhatItDoesNotSuit) {
  TempDir dir;
  const auto in = dir / "in.h5";
  test::run_python(R"(
import sys, numpy as np, h5py
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('u2', data=np.arange(1000, dtype='<u2').reshape(10, 100), chunks=(5, 100))
    f.create_dataset('be8', data=np.arange(100, dtype='>f8'), chunks=(10,))
    f.create_dataset('pair', data=np.zeros(100, dtype=[('a', '<i4'), ('b', '<i4')]), chunks=(10,))
    f.create_dataset('rec', data=np.zeros(100, dtype=[('a', '<i4'), ('b', '<f8')]), chunks=(10,))
    f.create_dataset('s', data=np.array([b'abc'] * 100, dtype='S3'), chunks=(10,))
    f.create_dataset('tiny', data=np.arange(3, dtype='<u2'), chunks=(3,))
)",
                   {in.string()});
  auto r = test::run_h5dig({"repack", "--filter", "szip", in.string(), (dir / "ours.h5").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run({"h5repack", "-f", "SZIP=8,NN", in.string(), (dir / "theirs.h5").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = [](const std::filesystem::path& p) {
    auto l = test::run({"h5ls", "-r", "-v", p.string()});
    std::string out;
    std::istringstream in(l.out);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with("/") || line.find("Filter-") != std::string::npos) out += line + "\n";
    return out;
  };
  EXPECT_EQ(lines(dir / "ours.h5"), lines(dir / "theirs.h5"));
  EXPECT_NE(lines(dir / "ours.h5").find("szip-4 OPT {177, 8, 64, 10}"), std::string::npos) << lines(dir / "ours.h5");
  // h5repack's szip chunks decode in h5dig as HDF5 decodes them.
  for (const char* name : {"u2", "be8"}) {
    r = test::run_h5dig({"read", "--verify", (dir / "theirs.h5").string() + "/" + name});
    EXPECT_NE(r.err.find("chunked (pread); verified: identical to H5Dread"), std::string::npos) << name << r.err;
  }
  // Named, a dataset szip does not suit is a usage error.
  r = test::run_h5dig({"repack", "--filter", "szip", in.string() + "/tiny", (dir / "x.h5").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("filter szip: 8 pixels per block, but chunks of 3 elements"), std::string::npos) << r.err;
}

// A damaged chunk: one line naming the file, the dataset, the chunk and the
// filter; exit 1; nothing written.
TEST(WritersEndToEnd, DamagedChunkIsOneLine) {
  TempDir dir;
  for (const char* name : {"lzo_u16", "szip_u16", "lzf_u16", "bz_plugin_i8"}) {
    const auto copy = dir / (std::string(name) + ".h5");
    std::filesystem::copy_file(foreign().path, copy);
    auto chunks = nlohmann::json::parse(
        test::run_h5dig({"chunks", "--format", "json", copy.string() + "/" + name}).out)["chunks"];
    ASSERT_FALSE(chunks.empty());
    const auto& c = chunks[1];
    {
      std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(c["byte_offset"].get<std::streamoff>() + c["size"].get<std::streamoff>() / 2);
      const char junk[16] = {'\x5a', '\x00', '\xff', '\x13', '\x5a', '\x00', '\xff', '\x13',
                             '\x5a', '\x00', '\xff', '\x13', '\x5a', '\x00', '\xff', '\x13'};
      f.write(junk, sizeof junk);
    }
    auto r = test::run_h5dig({"read", "-o", (dir / "x.npy").string(), copy.string() + "/" + name});
    EXPECT_EQ(r.exit_code, 1) << name << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(copy.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("chunk ("), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.npy"));
  }
}

// The PyTables test files Debian ships (python-tables-data): LZO-compressed
// tables written by PyTables 1.x/2.x with LZO 1 and 2, with and without shuffle,
// and a szip dataset; h5dig reads each the way PyTables does.
TEST(WritersEndToEnd, PyTablesShippedFilesRead) {
  const std::filesystem::path tests = "/usr/share/python-tables/tests";
  ASSERT_TRUE(std::filesystem::exists(tests / "Tables_lzo2.h5")) << "python-tables-data is not installed";
  TempDir out;
  for (const char* file : {"Tables_lzo1.h5", "Tables_lzo1_shuffle.h5", "Tables_lzo2.h5", "Tables_lzo2_shuffle.h5",
                           "Table2_1_lzo_nrv2e_shuffle.h5"}) {
    for (const char* table : {"tuple0", "group0/tuple1", "group0/group1/tuple2"}) {
      auto r = test::run_h5dig(
          {"read", "-o", (out / "t.bin").string(), (tests / file).string() + "/" + table});
      ASSERT_EQ(r.exit_code, 0) << file << "/" << table << "\n" << r.err;
      auto py = test::run_python(R"(
import sys, numpy as np, tables
with tables.open_file(sys.argv[1]) as t:
    want = t.get_node('/' + sys.argv[2]).read()
got = open(sys.argv[3], 'rb').read()
assert got == want.tobytes(), (len(got), want.nbytes)
)",
                                 {(tests / file).string(), table, (out / "t.bin").string()});
      EXPECT_EQ(py.exit_code, 0) << file << "/" << table << "\n" << py.err;
    }
  }
  auto r = test::run_h5dig({"read", "--verify", (tests / "test_szip.h5").string() + "/dset_szip"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace h5dig

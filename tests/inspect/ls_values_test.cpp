// `ls -d` values where the memory type is not the file type, against h5ls
// 1.10.8 byte for byte (issue 12, docs/foreign-files.md):
//   defect 1: compounds whose members do not fill the record, out of offset
//             order, nested, with arrays; n-bit integers (the native memory
//             type is smaller than the file type: values were walked at the
//             file type's size, so every element after the first was wrong);
//   defect 2: the time class (no native type): no values, as h5ls, and the
//             listing goes on;
//   defect 7: data HDF5 cannot read (a filter it has no plugin for): "Unable
//             to print data." as h5ls, and the listing goes on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

const char* kScript = R"PY(
import sys
import h5py, numpy as np
from h5py import h5d, h5p, h5s, h5t, h5z

with h5py.File(sys.argv[1], "w") as f:
    # Defect 1: two ints in a 16-byte record (PyTables' itemsize.h5).
    gaps = np.dtype({"names": ["a", "b"], "formats": ["<i4", "<i4"], "offsets": [0, 4], "itemsize": 16})
    f["gaps"] = np.array([(1, 11), (2, 12), (3, 13)], dtype=gaps)
    f["gaps_attr"] = 0
    f["gaps_attr"].attrs["rec"] = np.array([(4, 14), (5, 15)], dtype=gaps)
    late = np.dtype({"names": ["late", "early"], "formats": ["<i4", "<f8"], "offsets": [12, 0], "itemsize": 24})
    f["out_of_order"] = np.array([(1, 0.5), (2, 1.5), (3, 2.5)], dtype=late)
    inner = np.dtype({"names": ["x"], "formats": ["<i2"], "offsets": [2], "itemsize": 8})
    nested = np.dtype({"names": ["in", "arr", "z"], "formats": [inner, ("<f4", (2,)), ">i8"],
                       "offsets": [0, 12, 24], "itemsize": 40})
    f.create_dataset("nested_chunked", data=np.array([((7,), (1.5, 2.5), 9), ((8,), (3.5, 4.5), 10),
                                                      ((9,), (5.5, 6.5), 11)], dtype=nested), chunks=(2,))
    # n-bit: 32-bit integers of 12-bit precision (native type: 16 bits).
    t = h5t.STD_I32LE.copy()
    t.set_precision(12)
    d = h5d.create(f.id, b"nbit", t, h5s.create_simple((6,)))
    d.write(h5s.ALL, h5s.ALL, np.arange(1000, 1006, dtype="<i4"))
    # Defect 2: time class, alone, nested, as an attribute; the listing goes on.
    d = h5d.create(f.id, b"time", h5t.UNIX_D32BE, h5s.create_simple((3,)))
    d.write(h5s.ALL, h5s.ALL, np.arange(3, dtype=">i4"), mtype=h5t.UNIX_D32BE)
    ct = h5t.create(h5t.COMPOUND, 12)
    ct.insert(b"t", 0, h5t.UNIX_D64LE)
    ct.insert(b"n", 8, h5t.STD_I32LE)
    h5d.create(f.id, b"time_nested", ct, h5s.create_simple((2,)))
    f["time_attr"] = 1
    a = h5py.h5a.create(f["time_attr"].id, b"when", h5t.UNIX_D32BE, h5s.create(h5s.SCALAR))
    # Defect 7: a filter HDF5 has no plugin for (chunks written directly).
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk((4,))
    dcpl.set_filter(32099, h5z.FLAG_OPTIONAL, ())
    d = h5d.create(f.id, b"no_plugin", h5t.STD_I32LE, h5s.create_simple((8,)), dcpl=dcpl)
    for at in (0, 4):
        d.write_direct_chunk((at,), np.arange(4, dtype="<i4").tobytes(), 0)
    f["zz_after"] = np.arange(3)
)PY";

class InspectLsValues : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    test::run_python(kScript, {(dir_->path() / "v.h5").string()});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  // h5ls's and h5dig's stdout for `flags TARGET`, run in the fixture directory.
  static void expect_same_as_h5ls(const std::vector<std::string>& flags, const std::string& target) {
    std::vector<std::string> h5ls = {"/usr/bin/h5ls"};
    h5ls.insert(h5ls.end(), flags.begin(), flags.end());
    h5ls.push_back(target);
    std::vector<std::string> mine = {"ls"};
    mine.insert(mine.end(), flags.begin(), flags.end());
    mine.push_back(target);
    auto want = test::run(h5ls, dir_->path());
    auto got = test::run_h5dig(mine, dir_->path());
    ASSERT_EQ(want.exit_code, 0) << want.err;
    EXPECT_EQ(got.exit_code, 0) << got.err;
    EXPECT_EQ(got.out, want.out) << "h5dig ls " << flags[0] << " " << target;
  }
  static test::TempDir* dir_;
};
test::TempDir* InspectLsValues::dir_ = nullptr;

TEST_F(InspectLsValues, CompoundsWithGapsOutOfOrderNestedAndNbitPrintH5lsValues) {
  for (const char* obj : {"gaps", "gaps_attr", "out_of_order", "nested_chunked", "nbit"}) {
    for (const char* flags : {"-vd", "-d", "-dS"}) expect_same_as_h5ls({flags}, std::string("v.h5/") + obj);
  }
  // The values themselves, not only agreement: the second record is (2, 12).
  auto r = test::run_h5dig({"ls", "-d", "v.h5/gaps"}, dir_->path());
  EXPECT_NE(r.out.find("{1, 11}, {2, 12}, {3, 13}"), std::string::npos) << r.out;
}

TEST_F(InspectLsValues, TimeClassPrintsNoValuesAndTheListingGoesOn) {
  for (const char* obj : {"time", "time_nested", "time_attr"}) expect_same_as_h5ls({"-vd"}, std::string("v.h5/") + obj);
}

TEST_F(InspectLsValues, UnreadableDataSaysSoAndTheListingGoesOn) {
  expect_same_as_h5ls({"-d"}, "v.h5/no_plugin");
  auto r = test::run_h5dig({"ls", "-rd", "v.h5"}, dir_->path());
  EXPECT_NE(r.out.find("Unable to print data."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/zz_after"), std::string::npos) << r.out;
}

TEST_F(InspectLsValues, WholeFileListingsEqualH5ls) {
  // h5ls leaks an id after a time dataset (a line on its stderr): stdout only.
  for (const char* flags : {"-rd", "-rvd", "-rdS"}) expect_same_as_h5ls({flags}, "v.h5");
}

// Data HDF5 has no filter for but h5dig's codecs decode (PyTables' LZO): h5ls
// says "Unable to print data."; h5dig prints the values (a deliberate
// difference, docs/ls.md): those of the same data under zlib, which h5ls prints.
TEST_F(InspectLsValues, DataOnlyH5digsCodecsDecodePrintsItsValues) {
  test::run_python(R"PY(
import sys
import numpy as np, tables
rec = np.array([(i, i / 4, b"r%d" % i) for i in range(30)], dtype=[("n", "<i4"), ("x", "<f8"), ("s", "S4")])
with tables.open_file(sys.argv[1], "w") as f:
    for lib in ("lzo", "zlib"):
        f.create_table("/", lib, obj=rec, filters=tables.Filters(complevel=1, complib=lib, shuffle=True),
                       chunkshape=(8,))
)PY",
                   {(dir_->path() / "pt.h5").string()});
  auto h5ls = test::run({"/usr/bin/h5ls", "-d", "pt.h5/lzo"}, dir_->path());
  EXPECT_NE(h5ls.out.find("Unable to print data."), std::string::npos) << h5ls.out;
  auto zlib = test::run({"/usr/bin/h5ls", "-d", "pt.h5/zlib"}, dir_->path());
  auto lzo = test::run_h5dig({"ls", "-d", "pt.h5/lzo"}, dir_->path());
  ASSERT_EQ(lzo.exit_code, 0) << lzo.err;
  auto data = [](const std::string& s) { return s.substr(s.find("Data:")); };
  EXPECT_EQ(data(lzo.out), data(zlib.out));
  EXPECT_NE(lzo.out.find("{29, 7.25, \"r29\"}"), std::string::npos) << lzo.out;
}

// `ls --json -d`: the same reader and memory walk, as JSON values (what
// `read -o X.json` writes), compared with h5py's.
TEST_F(InspectLsValues, JsonValuesEqualH5py) {
  auto r = test::run_h5dig({"ls", "--json", "-d", "-r", "v.h5"}, dir_->path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::write_file(dir_->path() / "ls.json", r.out);
  auto check = test::run_python(R"PY(
import json, sys
import h5py, numpy as np
doc = json.load(open(sys.argv[1] + "/ls.json"))
objs = {o["path"]: o for o in doc["files"][0]["objects"]}
f = h5py.File(sys.argv[1] + "/v.h5", "r")
def as_json(v):
    if isinstance(v, np.ndarray):
        return [as_json(x) for x in v] if v.ndim else as_json(v[()])
    if isinstance(v, np.void) and v.dtype.names:
        return {n: as_json(v[n]) for n in v.dtype.names}
    if isinstance(v, np.generic):
        return as_json(v.item())
    return v
bad = []
for name in ["gaps", "out_of_order", "nested_chunked", "nbit", "zz_after"]:
    want = as_json(f[name][()])
    if objs["/" + name].get("values") != want:
        bad.append(f"{name}: {objs['/' + name].get('values')} != {want}")
attr = objs["/gaps_attr"]["attributes"][0]
if attr.get("values") != as_json(f["gaps_attr"].attrs["rec"]):
    bad.append(f"gaps_attr: {attr}")
for name in ["time", "no_plugin"]:  # no values: time class, a filter HDF5 lacks
    if objs["/" + name].get("values", "missing") is not None:
        bad.append(f"{name}: {objs['/' + name].get('values', 'missing')}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
)PY",
                                {dir_->path().string()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

}  // namespace
}  // namespace h5dig

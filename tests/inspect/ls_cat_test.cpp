// `h5dig cat` round trips (the talk's h5zip archives, chunked datasets) and
// the bad-input behaviour of `h5dig ls` and `h5dig cat`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "h5dig/error.hpp"
#include "h5dig/inspect/ls.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::read_file;
using test::run_h5dig;
using test::run_python;
using test::TempDir;
namespace fs = std::filesystem;


bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

TEST(LsCat, TalkArchiveRoundTripsByteExact) {
  TempDir dir;
  auto tree = dir / "tree";
  fs::create_directories(tree / "sub" / "deeper");
  std::string binary;
  for (std::uint32_t i = 0; i < 300000; ++i) binary.push_back(static_cast<char>((i * 7919u) >> 3));
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  test::write_file(tree / "README.txt", "hello, archive\n");
  test::write_file(tree / "empty.txt", "");
  test::write_file(tree / "sub" / "all_bytes.bin", all_bytes);
  test::write_file(tree / "sub" / "deeper" / "big.bin", binary);
  test::write_file(tree / "sub" / "name with spaces.txt", "spaced\n");
  run_python(test::talk_h5zip_script(), {"tree.h5", "tree"}, dir.path());
  for (const char* rel : {"README.txt", "empty.txt", "sub/all_bytes.bin", "sub/deeper/big.bin",
                          "sub/name with spaces.txt"}) {
    auto r = run_h5dig({"cat", (dir / "tree.h5").string() + "/" + rel});
    ASSERT_EQ(r.exit_code, 0) << rel << ": " << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, read_file(tree / rel)) << rel;
  }
}

TEST(LsCat, ChunkedMultiChunkDatasetMatchesNumpyBytes) {
  TempDir dir;
  run_python(R"PY(
import sys, h5py, numpy as np
a = (np.arange(300 * 70, dtype="<u2") * 37 % 65521).reshape(300, 70).astype("<u2")
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("g/stack", data=a, chunks=(16, 32), compression="gzip", shuffle=True)
    f.create_dataset("be", data=np.arange(10, dtype=">i4"))
    f.create_dataset("scalar", data=np.float64(1.5))
open(sys.argv[2], "wb").write(a.tobytes())
open(sys.argv[3], "wb").write(np.arange(10, dtype=">i4").tobytes() + np.float64(1.5).tobytes())
)PY",
             {(dir / "c.h5").string(), (dir / "stack.bin").string(), (dir / "rest.bin").string()});
  auto r = run_h5dig({"cat", (dir / "c.h5").string() + "/g/stack"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_file(dir / "stack.bin"));
  // Stored bytes: a big-endian dataset comes out big-endian.
  std::ostringstream out;
  inspect::run_cat((dir / "c.h5").string() + "/be", out);
  inspect::run_cat((dir / "c.h5").string() + "/scalar", out);
  EXPECT_EQ(out.str(), read_file(dir / "rest.bin"));
}

class LsCatErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    run_python(R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("grp/data", data=np.arange(100000, dtype="f8"), chunks=(1000,))
    f.attrs["note"] = "x"
    f["grp/vstr"] = np.array(["a", "b"], dtype=h5py.string_dtype())
)PY",
               {(dir_ / "ok.h5").string()});
    std::string bytes = read_file(dir_ / "ok.h5");
    test::write_file(dir_ / "truncated.h5", bytes.substr(0, bytes.size() / 3));
    test::write_file(dir_ / "text.h5", "this is not an HDF5 file\n");
  }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }
  TempDir dir_;
};

TEST_F(LsCatErrors, MissingFileIsOneLineExit1) {
  for (const char* cmd : {"ls", "cat"}) {
    auto r = run_h5dig({cmd, p("absent.h5") + "/grp/data"});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("absent.h5"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(LsCatErrors, NotHdf5FileIsOneLineExit1) {
  for (const char* cmd : {"ls", "cat"}) {
    auto r = run_h5dig({cmd, p("text.h5") + "/x"});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("text.h5"), std::string::npos) << r.err;
  }
}

TEST_F(LsCatErrors, TruncatedFileIsOneLineExit1) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"ls", "-rvd", p("truncated.h5")},
                                                                {"cat", p("truncated.h5") + "/grp/data"}}) {
    auto r = run_h5dig(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << " out: " << r.out;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("truncated.h5"), std::string::npos) << r.err;
  }
}

TEST_F(LsCatErrors, MissingObjectNamesFileAndObject) {
  for (const char* cmd : {"ls", "cat"}) {
    auto r = run_h5dig({cmd, p("ok.h5") + "/grp/nothing"});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("ok.h5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("grp/nothing"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  // h5ls itself reports this on stdout with exit 1 (documented in docs/ls.md).
  auto h5ls = test::run({"/usr/bin/h5ls", p("ok.h5") + "/grp/nothing"});
  EXPECT_EQ(h5ls.exit_code, 1);
  EXPECT_NE(h5ls.out.find("**NOT FOUND**"), std::string::npos);
}

TEST_F(LsCatErrors, CatOnGroupOrVariableLengthIsOneLineExit1) {
  for (const char* obj : {"/grp", "/grp/vstr"}) {
    auto r = run_h5dig({"cat", p("ok.h5") + obj});
    EXPECT_EQ(r.exit_code, 1) << obj;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("ok.h5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(std::string(obj).substr(1)), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(LsCatErrors, BadArgumentsAreUsageExit2) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ls"}, {"cat"}, {"ls", "--no-such-flag", p("ok.h5")}, {"ls", "-w", "x", p("ok.h5")},
           {"ls", "-w", "-3", p("ok.h5")}, {"cat", p("ok.h5")}, {"cat", p("ok.h5") + "/grp/data", "extra"}}) {
    auto r = run_h5dig(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_NE(r.err, "");
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(LsCatErrors, LibraryErrorsCarryKinds) {
  std::ostringstream out;
  try {
    inspect::run_ls({p("ok.h5") + "/missing"}, {}, out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::io);
  }
  try {
    inspect::run_cat(p("ok.h5") + "/grp/vstr", out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unsupported);
  }
}

TEST(LsJson, DescribesWhatH5pyWrote) {
  TempDir dir;
  run_python(R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    d = f.create_dataset("g/d", data=np.zeros((4, 6), dtype="<u2"), chunks=(2, 3), maxshape=(None, 6),
                         compression="gzip", compression_opts=5, shuffle=True)
    d.attrs["units"] = "counts"
    f["g/again"] = d
    f["link"] = h5py.SoftLink("/g/d")
    f["ext"] = h5py.ExternalLink("x.h5", "/y")
)PY",
             {(dir / "j.h5").string()});
  auto r = run_h5dig({"ls", "--json", "-r", (dir / "j.h5").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["h5dig_ls"], 1);
  auto objects = doc["files"][0]["objects"];
  std::map<std::string, nlohmann::json> by_path;
  for (const auto& o : objects) by_path[o["path"]] = o;
  ASSERT_TRUE(by_path.count("/"));
  EXPECT_EQ(by_path["/"]["kind"], "group");
  auto d = by_path["/g/again"];  // name order: "again" is seen first
  EXPECT_EQ(d["kind"], "dataset");
  EXPECT_EQ(d["shape"], nlohmann::json({4, 6}));
  EXPECT_EQ(d["maxshape"], nlohmann::json({nullptr, 6}));
  EXPECT_EQ(d["chunks"], nlohmann::json({2, 3}));
  EXPECT_EQ(d["layout"], "chunked");
  EXPECT_EQ(d["type"]["class"], "integer");
  EXPECT_EQ(d["type"]["size"], 2);
  EXPECT_EQ(d["type"]["signed"], false);
  EXPECT_EQ(d["type"]["text"], "native unsigned short");
  ASSERT_EQ(d["filters"].size(), 2u);
  EXPECT_EQ(d["filters"][0]["id"], 2);
  EXPECT_EQ(d["filters"][1]["id"], 1);
  EXPECT_EQ(d["filters"][1]["cd_values"], nlohmann::json({5}));
  EXPECT_EQ(d["logical_bytes"], 48);
  EXPECT_EQ(d["links"], 2);
  EXPECT_EQ(d["attributes"][0]["name"], "units");
  EXPECT_EQ(by_path["/g/d"]["same_as"], "/g/again");
  EXPECT_EQ(by_path["/link"]["kind"], "soft_link");
  EXPECT_EQ(by_path["/link"]["target"], "/g/d");
  EXPECT_EQ(by_path["/ext"]["kind"], "external_link");
  EXPECT_EQ(by_path["/ext"]["target_file"], "x.h5");
}

}  // namespace
}  // namespace h5dig

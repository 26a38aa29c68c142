// make stack / make frames end to end, and the write faults of the CLI.
#include <gtest/gtest.h>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

// The talk's dataset, deflated through zlib: same shape, chunks, values and
// exactly the 272,836 bytes h5py allocates.
TEST(MakeWrite, StackMatchesTheTalk) {
  TempDir dir;
  auto out = (dir / "data.h5").string();
  auto r = test::run_h5dig({"make", "stack", "--filter", "gzip=4:zlib", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ls = test::run({"h5ls", "-rv", out});
  EXPECT_NE(ls.out.find("/data                    Dataset {512/512, 512/512, 512/512}"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("Chunks:    {1, 512, 512} 524288 bytes"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("Storage:   268435456 logical bytes, 272836 allocated bytes, 98387.11% utilization"),
            std::string::npos)
      << ls.out;
  EXPECT_NE(ls.out.find("Filter-0:  deflate-1 OPT {4}"), std::string::npos) << ls.out;
  EXPECT_EQ(ls.out.find("Modified"), std::string::npos) << ls.out;
  auto py = test::run_python(R"(
import sys, h5py, numpy as np
d = h5py.File(sys.argv[1], 'r')['data']
assert d.shape == (512, 512, 512) and d.dtype == np.uint16 and d.chunks == (1, 512, 512)
for j in range(512):
    f = d[j]
    assert f.min() == j and f.max() == j, j
)",
                             {out});
  EXPECT_EQ(py.exit_code, 0) << py.err;
}

TEST(MakeWrite, FramesAreDeterministicPoissonCounts) {
  TempDir dir;
  auto a = (dir / "a.h5").string(), b = (dir / "b.h5").string();
  ASSERT_EQ(test::run_h5dig({"make", "frames", "--frames", "6", "--shape", "64,48", "--mean", "2", a}).exit_code, 0);
  ASSERT_EQ(test::run_h5dig({"make", "frames", "--frames", "6", "--shape", "64,48", "--mean", "2", "--filter", "bslz4",
                             "--chunks", "3,16,48", b})
                .exit_code,
            0);
  auto py = test::run_python(R"(
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], 'r')['data'], h5py.File(sys.argv[2], 'r')['data']
assert a.shape == (6, 64, 48) and a.maxshape == (None, 64, 48) and a.chunks == (1, 64, 48)
assert a.compression == 'gzip' and a.shuffle
assert b.chunks == (3, 16, 48)
x = a[()]
assert np.array_equal(x, b[()])
assert abs(x.mean() - 2) < 0.1 and abs(x.var() - 2) < 0.2, (x.mean(), x.var())
)",
                             {a, b});
  EXPECT_EQ(py.exit_code, 0) << py.err;
}

TEST(MakeWrite, WriteErrorIsOneLineAndExit1) {
  TempDir dir;
  auto r = test::run_h5dig({"make", "frames", "--frames", "2", (dir / "no/such/dir/out.h5").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(MakeWrite, ConflictingOptionsAreUsageErrors) {
  TempDir dir;
  auto out = (dir / "o.h5").string();
  auto r = test::run_h5dig({"make", "stack", "--size", "64", "--chunks", "1,128,64", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("larger than the dataset"), std::string::npos) << r.err;
  r = test::run_h5dig({"make", "frames", "--filter", "gzip,bogus", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown filter 'bogus'"), std::string::npos) << r.err;
  r = test::run_h5dig({"make", "frames", "--frames", "64", "--shape", "512,512", "--chunks", "64,1,512",
                       "--memory-limit", "8", out});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("incomplete chunks"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// kill -9 in the middle of a write leaves nothing under the target name.
TEST(MakeWrite, KilledRunLeavesNoTargetFile) {
  TempDir dir;
  auto out = dir / "big.h5";
  std::string script = "\"$0\" make frames --frames 100000 --shape 256,256 -t 1 \"$1\" >/dev/null 2>&1 & pid=$!; "
                       "for i in $(seq 100); do ls -a \"$2\" | grep -q h5dig && break; sleep 0.05; done; sleep 0.3; "
                       "kill -9 $pid; wait $pid; ls -a \"$2\"";
  auto r = test::run({"bash", "-c", script, test::h5dig_binary().string(), out.string(), dir.path().string()});
  EXPECT_NE(r.out.find(".big.h5.h5dig-"), std::string::npos) << "the run should have been writing: " << r.out;
  EXPECT_FALSE(std::filesystem::exists(out)) << r.out;
}

}  // namespace
}  // namespace h5dig

namespace h5dig {
namespace {

TEST(MakeWrite, BenchWriteComparesBothPaths) {
  test::TempDir dir;
  auto r = test::run_h5dig({"bench", "write", "--frames", "3", "--shape", "64,64", "-t", "2", "--dir",
                            dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HDF5 H5Dwrite, 1 thread"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("h5dig ChunkWriter, 2 threads"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace h5dig

namespace h5dig {
namespace {

// Disk full (a file-size limit, SIGXFSZ ignored so write() fails with EFBIG):
// one line naming the dataset and chunk, exit 1, no file left under either name.
TEST(MakeWrite, DiskFullIsOneLineExit1AndNoFile) {
  test::TempDir dir;
  auto out = dir / "full.h5";
  auto r = test::run({"bash", "-c", "trap '' XFSZ; ulimit -f 2000; exec \"$0\" make frames --frames 50 --shape 256,256 "
                                    "--filter none \"$1\"",
                      test::h5dig_binary().string(), out.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("data chunk ["), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace h5dig

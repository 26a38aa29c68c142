// advise: the cost model reproduces the talk's trap, and the recommendations
// follow the access pattern.
#include "h5dig/lab/advise.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include <sstream>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

const std::vector<hsize_t> kStack = {512, 512, 512};

TEST(Advise, TheTalksBadShapeRewritesEveryChunkPerFrame) {
  auto frames = lab::parse_access("frames", 3);
  auto bad = lab::access_cost(kStack, {512, 1, 512}, 2, frames);
  EXPECT_EQ(bad.accesses, 512u);
  EXPECT_EQ(bad.chunks_per_access, 512u);
  EXPECT_EQ(bad.cache_needed, 512u * 512 * 1024);           // every chunk of the stack
  EXPECT_EQ(bad.rewritten_total, 512ull * 512 * 512 * 1024);  // 512 chunks re-done per frame
  EXPECT_NEAR(bad.read_amplification(), 512, 1e-9);
  // With a cache that holds them, nothing is redone.
  auto cached = lab::access_cost(kStack, {512, 1, 512}, 2, frames, 300u << 20);
  EXPECT_EQ(cached.rewritten_total, 0u);
  EXPECT_NEAR(cached.read_amplification(), 1, 1e-9);
  auto good = lab::access_cost(kStack, {1, 512, 512}, 2, frames);
  EXPECT_EQ(good.chunks_per_access, 1u);
  EXPECT_EQ(good.rewritten_total, 0u);
}

TEST(Advise, RecommendationsFollowTheAccess) {
  EXPECT_EQ(lab::recommend_chunks(kStack, 2, lab::parse_access("frames", 3)), (std::vector<hsize_t>{1, 512, 512}));
  // Rows of 1 KiB are stacked into ~1 MiB chunks within a frame.
  auto rows = lab::recommend_chunks(kStack, 2, lab::parse_access("rows", 3));
  EXPECT_EQ(rows[0], 1u);
  EXPECT_EQ(rows[2], 512u);
  EXPECT_GT(rows[1], 1u);
  // Columns through the stack: long along axis 0.
  auto cols = lab::recommend_chunks(kStack, 2, lab::parse_access("columns", 3));
  EXPECT_EQ(cols[0], 512u);
  EXPECT_LE(cols[0] * cols[1] * cols[2] * 2, 4u << 20);
  // Large frames are split.
  auto big = lab::recommend_chunks({10, 4096, 4096}, 4, lab::parse_access("frames", 3));
  EXPECT_LE(big[0] * big[1] * big[2] * 4, 4u << 20);
  EXPECT_EQ(big[2], 4096u);
  EXPECT_EQ(lab::recommend_chunks(kStack, 2, lab::parse_access("box=64,64,64", 3)),
            (std::vector<hsize_t>{64, 64, 64}));
  EXPECT_THROW(lab::parse_access("diagonal", 3), Error);
  EXPECT_THROW(lab::parse_access("box=4,4", 3), Error);
}

TEST(Advise, PrintsCurrentAndRecommendedWithTheCost) {
  TempDir dir;
  test::run_python(R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('bad', shape=(64, 64, 512), dtype='<u2', chunks=(64, 1, 512), compression='gzip',
                     data=np.random.default_rng(1).poisson(1, (64, 64, 512)).astype('<u2'))
)",
                   {(dir / "a.h5").string()});
  std::ostringstream out;
  lab::run_advise((dir / "a.h5").string() + "/bad", "frames", out);
  const std::string s = out.str();
  EXPECT_NE(s.find("current      {64, 1, 512}"), std::string::npos) << s;
  EXPECT_NE(s.find("recommended  {1, 64, 512}"), std::string::npos) << s;
  EXPECT_NE(s.find("(64x the data)"), std::string::npos) << s;
  EXPECT_NE(s.find("shuffle,gzip=4 ratio"), std::string::npos) << s;
  EXPECT_NE(s.find("unless the cache holds 4.2 MB"), std::string::npos) << s;
  EXPECT_NE(s.find("apply   h5dig repack --chunks 1,64,512"), std::string::npos) << s;
  auto r = test::run_h5dig({"advise", (dir / "a.h5").string() + "/bad", "--access", "sideways"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Advise, BenchLayoutRunsEveryRow) {
  TempDir dir;
  auto r = test::run_h5dig({"bench", "layout", "--size", "16", "--bad-frames", "2", "-t", "2", "--dir",
                            dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("h5dig ChunkWriter          {16,1,16}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stopped after 2 of 16 frames"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace h5dig

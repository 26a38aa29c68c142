// Slab planning: every element exactly once, row-major, within the budget.
#include "inspect/slabs.hpp"

#include <gtest/gtest.h>

namespace h5dig::inspect {
namespace {

struct Case {
  std::vector<std::uint64_t> dims;
  std::size_t elem;
  std::vector<std::uint64_t> chunk;
  std::size_t budget;
};

class SlabsCover : public ::testing::TestWithParam<Case> {};

TEST_P(SlabsCover, EveryElementOnceInRowMajorOrder) {
  const Case& c = GetParam();
  std::uint64_t total = 1;
  for (auto d : c.dims) total *= d;
  std::uint64_t next = 0;  // expected row-major index of the next slab's first element
  std::uint64_t max_slab = 0;
  for_each_slab(c.dims, c.elem, c.chunk, [&](const auto& start, const auto& count) {
    std::uint64_t linear = 0, n = 1;
    for (std::size_t i = 0; i < c.dims.size(); ++i) {
      linear = linear * c.dims[i] + start[i];
      n *= count[i];
      ASSERT_LE(start[i] + count[i], c.dims[i]);
    }
    // A slab is contiguous in row-major order: only its outermost non-1
    // dimension may be partial.
    EXPECT_EQ(linear, next);
    next += n;
    max_slab = std::max(max_slab, n);
  }, c.budget);
  EXPECT_EQ(next, c.dims.empty() ? 0 : total);
  if (!c.dims.empty() && c.chunk.empty()) {
    std::uint64_t row = c.dims.back();
    EXPECT_LE(max_slab * c.elem, std::max<std::uint64_t>(c.budget, row * c.elem));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, SlabsCover,
                         ::testing::Values(Case{{10}, 1, {}, 4}, Case{{7, 5}, 2, {}, 16}, Case{{3, 4, 5}, 8, {}, 100},
                                           Case{{3, 4, 5}, 8, {}, 1 << 20}, Case{{100, 3}, 4, {16, 3}, 64},
                                           Case{{1, 1000}, 1, {}, 10}, Case{{0, 5}, 1, {}, 10},
                                           Case{{2, 3, 1}, 4, {1, 2, 1}, 8}));

TEST(Slabs, ScalarIsOneCallWithEmptyVectors) {
  int calls = 0;
  for_each_slab({}, 8, {}, [&](const auto& s, const auto& c) {
    EXPECT_TRUE(s.empty());
    EXPECT_TRUE(c.empty());
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace h5dig::inspect

// io::OutputMemory: large buffers are whole huge pages on a 2 MiB boundary
// (whatever their size), writable end to end; small ones come from malloc.
// io::KeptOutputs: given-back mappings serve the next output of about their
// size, within a byte limit and a time limit.
#include "h5dig/io/output_memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>

namespace h5dig::io {
namespace {

constexpr std::uint64_t kMiB = 1u << 20;

TEST(IoOutputMemory, LargeBuffersStartOnAHugePageBoundaryWhateverTheirSize) {
  for (std::uint64_t bytes : {4 * kMiB, 4 * kMiB + 1, 5 * kMiB + 4096 + 7, kMiB * 14 - 72, 64 * kMiB}) {
    OutputMemory m(bytes);
    ASSERT_EQ(m.size(), bytes);
    ASSERT_EQ(m.data().size(), bytes);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(m.data().data()) % (2 * kMiB), 0u) << bytes;
    std::memset(m.data().data(), 0xab, bytes);  // every byte is ours
    EXPECT_EQ(m.data()[bytes - 1], std::byte{0xab});
  }
}

TEST(IoOutputMemory, SmallAndEmptyBuffersAndMoves) {
  OutputMemory empty(0);
  EXPECT_EQ(empty.size(), 0u);
  OutputMemory small(1000);
  std::memset(small.data().data(), 1, 1000);
  OutputMemory big(6 * kMiB);
  std::byte* p = big.data().data();
  OutputMemory moved(std::move(big));
  EXPECT_EQ(moved.data().data(), p);
  EXPECT_EQ(big.size(), 0u);
  moved = std::move(small);
  EXPECT_EQ(moved.size(), 1000u);
}

TEST(IoKeptOutputs, AGivenBackMappingServesTheNextOutputOfAboutItsSize) {
  KeptOutputs kept(64 * kMiB);
  OutputMemory a = kept.take(10 * kMiB);
  std::memset(a.data().data(), 0x5a, a.size());
  std::byte* p = a.data().data();
  kept.give_back(std::move(a));
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(kept.kept_bytes(), 10 * kMiB);
  // Too small for it (more than a quarter to spare) and too large: new mappings.
  OutputMemory small = kept.take(6 * kMiB);
  EXPECT_NE(small.data().data(), p);
  OutputMemory large = kept.take(10 * kMiB + 1);
  EXPECT_NE(large.data().data(), p);
  EXPECT_EQ(kept.kept_bytes(), 10 * kMiB);
  // A little smaller: the kept one, sized to the request, writable.
  OutputMemory b = kept.take(9 * kMiB + 17);
  EXPECT_EQ(b.data().data(), p);
  EXPECT_EQ(b.size(), 9 * kMiB + 17);
  EXPECT_EQ(b.mapped(), 10 * kMiB);
  EXPECT_EQ(kept.kept_bytes(), 0u);
  std::memset(b.data().data(), 0x11, b.size());
  EXPECT_EQ(b.data()[b.size() - 1], std::byte{0x11});
}

TEST(IoKeptOutputs, KeepsWithinItsLimitOldestGoingFirst) {
  KeptOutputs kept(20 * kMiB);
  OutputMemory a = kept.take(8 * kMiB), b = kept.take(8 * kMiB), c = kept.take(8 * kMiB);
  OutputMemory huge = kept.take(22 * kMiB), small(1000);
  std::byte* pb = b.data().data();
  std::byte* pc = c.data().data();
  kept.give_back(std::move(huge));   // above the limit: released
  kept.give_back(std::move(small));  // malloc's: released
  EXPECT_EQ(kept.kept_bytes(), 0u);
  kept.give_back(std::move(a));
  kept.give_back(std::move(b));
  kept.give_back(std::move(c));  // 24 MiB > 20: a, the oldest, goes
  EXPECT_EQ(kept.kept_bytes(), 16 * kMiB);
  OutputMemory x = kept.take(8 * kMiB), y = kept.take(8 * kMiB);
  EXPECT_TRUE((x.data().data() == pb && y.data().data() == pc) || (x.data().data() == pc && y.data().data() == pb));
  kept.give_back(std::move(x));
  EXPECT_EQ(kept.release_all(), 8 * kMiB);
  EXPECT_EQ(kept.kept_bytes(), 0u);
}

TEST(IoKeptOutputs, NothingIsKeptPastItsTimeOrWithALimitOfZero) {
  KeptOutputs brief(64 * kMiB, std::chrono::milliseconds(20));
  brief.give_back(brief.take(6 * kMiB));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(brief.kept_bytes(), 0u);
  KeptOutputs none(0);
  none.give_back(none.take(6 * kMiB));
  EXPECT_EQ(none.kept_bytes(), 0u);
  OutputMemory m = none.take(6 * kMiB);
  EXPECT_EQ(m.size(), 6 * kMiB);
}

}  // namespace
}  // namespace h5dig::io

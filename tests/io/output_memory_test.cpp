// io::OutputMemory: large buffers are whole huge pages on a 2 MiB boundary
// (whatever their size), writable end to end; small ones come from malloc.
#include "h5dig/io/output_memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
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

}  // namespace
}  // namespace h5dig::io

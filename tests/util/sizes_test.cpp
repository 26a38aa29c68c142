// util::parse_size: byte counts with units, and a usage error naming the setting otherwise.
#include "h5dig/util/sizes.hpp"

#include <gtest/gtest.h>

#include "h5dig/error.hpp"

namespace h5dig::util {
namespace {

TEST(UtilSizes, CountsWithAndWithoutUnits) {
  EXPECT_EQ(parse_size("1048576", "--x"), 1048576u);
  EXPECT_EQ(parse_size("0", "--x"), 0u);
  EXPECT_EQ(parse_size("12b", "--x"), 12u);
  EXPECT_EQ(parse_size("4K", "--x"), 4096u);
  EXPECT_EQ(parse_size("256MiB", "--x"), 256u << 20);
  EXPECT_EQ(parse_size("3 mb", "--x"), 3u << 20);
  EXPECT_EQ(parse_size("2G", "--x"), 2ull << 30);
  EXPECT_EQ(parse_size("1gib", "--x"), 1ull << 30);
}

TEST(UtilSizes, NotASizeIsAUsageErrorNamingTheSetting) {
  for (const char* bad : {"", "-1", " 5", "5x", "MiB", "1.5G", "99999999999999999999", "17179869184G"}) {
    try {
      (void)parse_size(bad, "H5DIG_KEEP_OUTPUTS");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      EXPECT_NE(std::string(e.what()).find("H5DIG_KEEP_OUTPUTS"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace h5dig::util

namespace h5dig::util {
namespace {

TEST(UtilSizes, PhysicalMemoryIsKnownOnLinux) {
  EXPECT_GT(physical_memory(), std::uint64_t{64} << 20);
  EXPECT_EQ(physical_memory(), physical_memory());
}

}  // namespace
}  // namespace h5dig::util

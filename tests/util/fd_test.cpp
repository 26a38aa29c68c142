// util::Fd owns one descriptor; util::pread_exact reads all it can and says how
// much and why it stopped; util::write_at writes all of it or throws.
#include "h5dig/util/fd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "h5dig/error.hpp"
#include "support/fixtures.hpp"

namespace h5dig::util {
namespace {

std::string text(std::span<const std::byte> b, std::size_t n) { return {reinterpret_cast<const char*>(b.data()), n}; }

TEST(Fd, OwnsOneDescriptor) {
  test::TempDir dir;
  test::write_file(dir / "f", "0123456789");
  Fd a = open_read_only(dir / "f");
  ASSERT_TRUE(a.valid());
  const int raw = a.get();
  Fd b = std::move(a);
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(file_size(b.get(), "f"), 10u);
  b.reset();
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed
  try {
    open_read_only(dir / "missing");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "missing").string() + ": cannot open: No such file or directory");
  }
}

TEST(Fd, PreadExactReportsTheEndOfTheFileAndErrors) {
  test::TempDir dir;
  test::write_file(dir / "f", "0123456789");
  const Fd fd = open_read_only(dir / "f");
  std::byte buf[8];
  ReadResult r = pread_exact(fd.get(), buf, 1);
  EXPECT_EQ(r.bytes, 8u);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(text(buf, 8), "12345678");
  r = pread_exact(fd.get(), buf, 6);  // the file ends after 4
  EXPECT_EQ(r.bytes, 4u);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(text(buf, 4), "6789");
  r = pread_exact(-1, buf, 0);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_EQ(r.error, EBADF);
}

TEST(Fd, WriteAtWritesPiecesAndThrowsOnFailure) {
  test::TempDir dir;
  Fd fd(::open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd.valid());
  std::string big(1u << 20, 'x');  // four 256 KiB pieces
  big[big.size() - 1] = 'y';
  write_at(fd.get(), 3, std::as_bytes(std::span(big)), "out");
  EXPECT_EQ(fd.close(), 0);
  const std::string got = test::read_file(dir / "out");
  ASSERT_EQ(got.size(), big.size() + 3);
  EXPECT_EQ(got.substr(3), big);
  try {
    write_at(-1, 5, std::as_bytes(std::span(big)), "nowhere");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "nowhere: cannot write at byte 5: Bad file descriptor");
  }
}

}  // namespace
}  // namespace h5dig::util

// util::AtomicOutput: the target appears only on commit; an error (the
// destructor) leaves neither the target nor the temporary file; the dirfd form
// replaces a symlink at the target instead of writing through it.
#include "h5dig/util/atomic_output.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "h5dig/error.hpp"
#include "support/fixtures.hpp"

namespace h5dig::util {
namespace {

namespace fs = std::filesystem;

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span(s)); }

TEST(AtomicOutput, TargetAppearsOnlyOnCommit) {
  test::TempDir dir;
  const fs::path target = dir / "out.bin";
  {
    AtomicOutput out(target, AtomicOutput::Access::in_place);
    EXPECT_EQ(out.temp_path().filename().string(), fmt::format(".out.bin.h5dig-{}.tmp", ::getpid()));
    out.reserve(8);
    out.write_at(4, bytes("5678"));
    out.write_at(0, bytes("1234"));
    EXPECT_FALSE(fs::exists(target));
    out.commit();
    EXPECT_FALSE(fs::exists(out.temp_path()));
  }
  EXPECT_EQ(test::read_file(target), "12345678");
  EXPECT_EQ(entries(dir.path()), 1u);
  // 0666 & ~umask, as any file a command creates.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u & ~mask);
}

TEST(AtomicOutput, NotCommittedLeavesNothingAndKeepsTheOldTarget) {
  test::TempDir dir;
  const fs::path target = dir / "out.h5";
  test::write_file(target, "old");
  {
    AtomicOutput out(target);  // by name: a library opens the temporary file itself
    EXPECT_TRUE(fs::exists(out.temp_path()));
    EXPECT_EQ(out.fd(), -1);
    test::write_file(out.temp_path(), "half");
  }
  EXPECT_EQ(test::read_file(target), "old");
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(AtomicOutput, Errors) {
  test::TempDir dir;
  try {
    AtomicOutput out(dir / "missing" / "x.h5");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::io);
    EXPECT_EQ(std::string(e.what()), "cannot create " + (dir / "missing" / "x.h5").string() + ": No such file or directory");
  }
  try {
    AtomicOutput out(dir.path());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
  }
}

TEST(AtomicOutput, LongNamesStillGetATemporaryName) {
  test::TempDir dir;
  const fs::path target = dir / std::string(255, 'n');
  AtomicOutput out(target, AtomicOutput::Access::in_place);
  out.write_at(0, bytes("x"));
  out.commit();
  EXPECT_EQ(test::read_file(target), "x");
}

TEST(AtomicOutput, DirFdFormReplacesASymlinkWithoutWritingThroughIt) {
  test::TempDir dir;
  fs::create_directories(dir / "root" / "sub");
  test::write_file(dir / "outside", "untouched");
  fs::create_symlink(dir / "outside", dir / "root" / "sub" / "f");
  const int root_fd = ::open((dir / "root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(root_fd, 0);
  {
    AtomicOutput out(root_fd, "sub/f", dir / "root" / "sub" / "f");
    EXPECT_EQ(out.temp_path(), dir / "root" / "sub" / fmt::format(".f.h5dig-{}.tmp", ::getpid()));
    out.write_at(0, bytes("new"));
    out.commit();
  }
  {
    AtomicOutput abandoned(root_fd, "sub/g", dir / "root" / "sub" / "g");
    abandoned.write_at(0, bytes("partial"));
  }
  ::close(root_fd);
  EXPECT_FALSE(fs::is_symlink(dir / "root" / "sub" / "f"));
  EXPECT_EQ(test::read_file(dir / "root" / "sub" / "f"), "new");
  EXPECT_EQ(test::read_file(dir / "outside"), "untouched");
  EXPECT_EQ(entries(dir / "root" / "sub"), 1u);
}

}  // namespace
}  // namespace h5dig::util

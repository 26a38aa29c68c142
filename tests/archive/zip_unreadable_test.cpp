// zip keeps going past entries it cannot read, like tar: one line per entry left
// out, the archive written with everything else, exit 1; files that change while
// being read are left out rather than stored torn; hard links across several
// DIRs are stored once.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <sstream>

#include "h5dig/archive/archive.hpp"
#include "support/fixtures.hpp"

namespace fs = std::filesystem;
using h5dig::test::read_file;
using h5dig::test::run;
using h5dig::test::run_h5dig;
using h5dig::test::TempDir;
using h5dig::test::write_file;

namespace {

h5dig::archive::ZipOptions zip_options() {
  h5dig::archive::ZipOptions o;
  o.threads = 2;
  o.progress = false;
  return o;
}

std::string listing(const fs::path& archive) {
  std::ostringstream s;
  h5dig::archive::run_ls_archive(archive, s);
  return s.str();
}

// Every path under `root` (relative, directories with a trailing '/'), and file contents.
std::map<std::string, std::string> tree_of(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = e.path().lexically_relative(root).string();
    if (e.is_symlink())
      out[rel] = "-> " + fs::read_symlink(e.path()).string();
    else if (e.is_directory())
      out[rel + "/"] = "";
    else
      out[rel] = read_file(e.path());
  }
  return out;
}

void expect_no_temp_files(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".h5dig-"), std::string::npos) << e.path();  // util::AtomicOutput's temporary
}

// The argv prefix that runs a command unable to read a mode-000 file. Tests run
// as root here and in CI, and root reads anything: drop the two capabilities
// that let it (it still owns the files, so their 000 modes then apply). As
// another user nothing is needed. Empty optional: no way here.
std::optional<std::vector<std::string>> unprivileged_prefix(const fs::path& probe_dir) {
  if (::geteuid() != 0) return std::vector<std::string>{};
  std::vector<std::string> prefix = {"setpriv", "--bounding-set=-dac_override,-dac_read_search"};
  fs::path probe = probe_dir / "probe";
  write_file(probe, "x");
  ::chmod(probe.c_str(), 0);
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {"cat", probe.string()});
  auto r = run(argv);
  fs::remove(probe);
  if (r.exit_code == 0 || r.err.find("Permission denied") == std::string::npos) return std::nullopt;
  return prefix;
}

}  // namespace

TEST(ArchiveZipUnreadable, LeavesOutWhatItCannotReadWritesTheRestExitsOne) {
  TempDir tmp;
  auto prefix = unprivileged_prefix(tmp.path());
  if (!prefix) GTEST_SKIP() << "no way to make a file unreadable here (root, and setpriv cannot drop capabilities)";
  fs::path src = tmp / "src";
  fs::create_directories(src / "sub");
  fs::create_directories(src / "locked" / "inner");
  write_file(src / "a.txt", "a\n");
  write_file(src / "sub" / "ok.txt", "ok\n");
  write_file(src / "b-secret.dat", "secret\n");
  write_file(src / "locked" / "inner" / "x", "x\n");
  write_file(src / "zz big", std::string(2'500'000, 'z'));  // several chunks, after the failures
  ASSERT_EQ(::symlink("a.txt", (src / "link").c_str()), 0);
  ASSERT_EQ(::chmod((src / "b-secret.dat").c_str(), 0), 0);
  ASSERT_EQ(::chmod((src / "locked").c_str(), 0), 0);

  fs::path archive = tmp / "t.h5";
  std::vector<std::string> argv = *prefix;
  argv.insert(argv.end(), {h5dig::test::h5dig_binary().string(), "zip", "-t", "2", archive.string(), src.string()});
  auto z = run(argv);
  EXPECT_EQ(z.exit_code, 1) << z.err;
  // In path order, though the directory was found unreadable (walking) before the file (reading).
  EXPECT_EQ(z.err, "h5dig: zip: " + src.string() + "/b-secret.dat: Permission denied; not archived\n"
                   "h5dig: zip: " + src.string() + "/locked: Permission denied; directory not archived, nor anything under it\n"
                   "h5dig: zip: 2 entries could not be read; " + archive.string() + " written without them\n");
  ASSERT_TRUE(fs::exists(archive));
  expect_no_temp_files(tmp.path());

  // The readable part extracts exactly.
  auto u = run_h5dig({"unzip", "-C", (tmp / "out").string(), archive.string()});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  std::map<std::string, std::string> expected = {{"a.txt", "a\n"},   {"link", "-> a.txt"},
                                                 {"sub/", ""},        {"sub/ok.txt", "ok\n"},
                                                 {"zz big", std::string(2'500'000, 'z')}};
  EXPECT_TRUE(tree_of(tmp / "out") == expected);

  // verify with full rights: what was left out is in the tree only.
  auto v = run_h5dig({"verify", archive.string(), src.string()});
  EXPECT_EQ(v.exit_code, 3) << v.err;
  EXPECT_EQ(v.out,
            "extra: b-secret.dat (in the tree, not in the archive)\n"
            "extra: locked (in the tree, not in the archive)\n"
            "extra: locked/inner (in the tree, not in the archive)\n"
            "extra: locked/inner/x (in the tree, not in the archive)\n");
  EXPECT_EQ(v.err, "h5dig: " + archive.string() + ": 4 difference(s)\n");
  // verify as the same restricted user: the directory it cannot list is named as such.
  argv = *prefix;
  argv.insert(argv.end(), {h5dig::test::h5dig_binary().string(), "verify", archive.string(), src.string()});
  auto vu = run(argv);
  EXPECT_EQ(vu.exit_code, 3) << vu.err;
  EXPECT_EQ(vu.out,
            "unreadable: locked: Permission denied (directory not compared, nor anything under it)\n"
            "extra: b-secret.dat (in the tree, not in the archive)\n");

  // Everything readable: exit 0, nothing on stderr.
  ASSERT_EQ(::chmod((src / "b-secret.dat").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((src / "locked").c_str(), 0755), 0);
  argv = *prefix;
  argv.insert(argv.end(), {h5dig::test::h5dig_binary().string(), "zip", archive.string(), src.string()});
  auto z2 = run(argv);
  EXPECT_EQ(z2.exit_code, 0) << z2.err;
  EXPECT_EQ(z2.err, "");
  EXPECT_EQ(run_h5dig({"verify", archive.string(), src.string()}).exit_code, 0);
}

TEST(ArchiveZipUnreadable, OneEntryIsSingular) {
  TempDir tmp;
  auto prefix = unprivileged_prefix(tmp.path());
  if (!prefix) GTEST_SKIP() << "no way to make a file unreadable here";
  fs::create_directories(tmp / "src");
  write_file(tmp / "src" / "f", "f");
  ASSERT_EQ(::chmod((tmp / "src" / "f").c_str(), 0), 0);
  std::vector<std::string> argv = *prefix;
  argv.insert(argv.end(), {h5dig::test::h5dig_binary().string(), "zip", (tmp / "t.h5").string(), (tmp / "src").string()});
  auto z = run(argv);
  EXPECT_EQ(z.exit_code, 1);
  EXPECT_NE(z.err.find("h5dig: zip: 1 entry could not be read; " + (tmp / "t.h5").string() + " written without it\n"),
            std::string::npos)
      << z.err;
  // The archive is valid HDF5 with an empty root group.
  auto h5ls = run({"h5ls", "-r", (tmp / "t.h5").string()});
  EXPECT_EQ(h5ls.exit_code, 0) << h5ls.err;
  EXPECT_EQ(h5ls.out, "/                        Group\n");
}

// Files changing under zip, made deterministic with the before_read hook
// (called before each piece of a file is read; offset 0 before it is opened).
struct ArchiveZipChanging : ::testing::Test {
  TempDir tmp;
  fs::path src = tmp / "src";
  fs::path archive = tmp / "t.h5";
  std::ostringstream warn;
  h5dig::archive::ZipOptions options = zip_options();

  void SetUp() override {
    fs::create_directories(src);
    write_file(src / "a small", "small\n");
    write_file(src / "b big", std::string(3'000'000, 'b'));  // 3 chunks of 1,000,000 bytes
    write_file(src / "c after", "after\n");
  }
  h5dig::archive::ZipStats zip() { return h5dig::archive::run_zip(archive, {src}, options, warn); }
  std::string path(const std::string& name) const { return (src / name).string(); }
};

TEST_F(ArchiveZipChanging, FileThatShrinksMidReadIsLeftOut) {
  options.before_read = [&](const std::string& p, std::uint64_t offset) {
    if (p == path("b big") && offset == 1'000'000) ASSERT_EQ(::truncate(p.c_str(), 100), 0);
  };
  auto stats = zip();
  EXPECT_EQ(stats.unreadable, 1u);
  EXPECT_EQ(stats.files, 2u);
  EXPECT_EQ(warn.str(), "h5dig: zip: " + path("b big") +
                            ": file shrank while being read (from 3000000 to 100 bytes); not archived\n");
  // HDF5 itself sees no trace of the abandoned dataset.
  auto h5ls = run({"h5ls", "-r", archive.string()});
  EXPECT_EQ(h5ls.out,
            "/                        Group\n"
            "/a\\ small                Dataset {6}\n"
            "/c\\ after                Dataset {6}\n")
      << h5ls.err;
  std::ostringstream unzip_warn;
  h5dig::archive::UnzipOptions uo;
  uo.directory = tmp / "out";
  uo.threads = 2;
  uo.progress = false;
  auto u = h5dig::archive::run_unzip(archive, uo, unzip_warn);
  EXPECT_EQ(u.failed + u.refused, 0u) << unzip_warn.str();
  EXPECT_EQ(read_file(tmp / "out" / "c after"), "after\n");
  EXPECT_FALSE(fs::exists(tmp / "out" / "b big"));
}

TEST_F(ArchiveZipChanging, FileThatGrowsWhileReadIsLeftOut) {
  options.before_read = [&](const std::string& p, std::uint64_t offset) {
    if (p == path("b big") && offset == 2'000'000) write_file(p, std::string(3'000'010, 'g'));
  };
  auto stats = zip();
  EXPECT_EQ(stats.unreadable, 1u);
  EXPECT_EQ(warn.str(),
            "h5dig: zip: " + path("b big") + ": file grew while being read (from 3000000 to 3000010 bytes); not archived\n");
  EXPECT_EQ(listing(archive).find("b big"), std::string::npos) << listing(archive);
}

TEST_F(ArchiveZipChanging, FileRewrittenInPlaceAtTheSameSizeIsLeftOut) {
  // An old mtime, so the rewrite changes it whatever the clock's granularity.
  struct timespec t[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path("b big").c_str(), t, 0), 0);
  options.before_read = [&](const std::string& p, std::uint64_t offset) {
    if (p != path("b big") || offset != 1'000'000) return;
    int fd = ::open(p.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "X", 1, 0), 1);  // already read: the stored bytes would be stale
    ::close(fd);
  };
  auto stats = zip();
  EXPECT_EQ(stats.unreadable, 1u);
  EXPECT_EQ(warn.str(), "h5dig: zip: " + path("b big") + ": file changed while being read; not archived\n");
}

TEST_F(ArchiveZipChanging, VanishedAndReplacedFilesAreLeftOutWithoutBlocking) {
  options.before_read = [&](const std::string& p, std::uint64_t offset) {
    if (offset != 0) return;
    if (p == path("a small")) fs::remove(p);
    if (p == path("c after")) {
      fs::remove(p);
      ASSERT_EQ(::mkfifo(p.c_str(), 0644), 0);  // opening it for reading must not wait for a writer
    }
  };
  auto stats = zip();
  EXPECT_EQ(stats.unreadable, 2u);
  EXPECT_EQ(warn.str(), "h5dig: zip: " + path("a small") + ": No such file or directory; not archived\n"
                        "h5dig: zip: " + path("c after") + ": no longer a regular file; not archived\n");
  EXPECT_EQ(stats.files, 1u);
  EXPECT_NE(listing(archive).find(" b big\n"), std::string::npos) << listing(archive);
}

TEST_F(ArchiveZipChanging, HardLinkWhoseFirstNameVanishedIsStoredUnderTheNextName) {
  ASSERT_EQ(::link(path("b big").c_str(), path("d hard").c_str()), 0);
  ASSERT_EQ(::link(path("b big").c_str(), path("e hard").c_str()), 0);
  options.before_read = [&](const std::string& p, std::uint64_t offset) {
    if (p == path("b big") && offset == 0) fs::remove(p);
  };
  auto stats = zip();
  EXPECT_EQ(stats.unreadable, 1u);
  EXPECT_EQ(stats.hardlinks, 1u);
  std::string list = listing(archive);
  EXPECT_NE(list.find("      3000000 "), std::string::npos) << list;
  EXPECT_NE(list.find(" d hard\n"), std::string::npos) << list;
  EXPECT_NE(list.find(" e hard link to d hard\n"), std::string::npos) << list;
  h5dig::archive::VerifyOptions vo;
  vo.tree = src;
  vo.threads = 2;
  vo.progress = false;
  std::ostringstream v;
  // The names match the tree's; only the root's mtime moved (the removal).
  EXPECT_EQ(h5dig::archive::run_verify(archive, vo, v), 1u) << v.str();
  EXPECT_EQ(v.str().rfind("mtime changed: . (", 0), 0u) << v.str();
}

TEST(ArchiveZipSeveralDirs, HardLinksAcrossDirectoriesAreStoredOnce) {
  TempDir tmp;
  fs::create_directories(tmp / "one");
  fs::create_directories(tmp / "two");
  write_file(tmp / "one" / "f", std::string(1'500'000, 'f'));
  ASSERT_EQ(::link((tmp / "one" / "f").c_str(), (tmp / "two" / "g").c_str()), 0);
  std::ostringstream warn;
  auto stats = h5dig::archive::run_zip(tmp / "t.h5", {tmp / "one", tmp / "two"}, zip_options(), warn);
  EXPECT_EQ(stats.files, 1u);
  EXPECT_EQ(stats.hardlinks, 1u);
  EXPECT_NE(listing(tmp / "t.h5").find(" two/g link to one/f\n"), std::string::npos) << listing(tmp / "t.h5");
  auto h5ls = run({"h5ls", "-r", (tmp / "t.h5").string()});
  EXPECT_NE(h5ls.out.find("/two/g                   Dataset, same as /one/f\n"), std::string::npos) << h5ls.out;
  auto u = run_h5dig({"unzip", "-C", (tmp / "out").string(), (tmp / "t.h5").string()});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  struct stat a, b;
  ASSERT_EQ(::stat((tmp / "out" / "one" / "f").c_str(), &a), 0);
  ASSERT_EQ(::stat((tmp / "out" / "two" / "g").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(read_file(tmp / "out" / "two" / "g"), std::string(1'500'000, 'f'));
}

TEST(ArchiveZipSpecial, SocketsAndFifosAreSkippedInPathOrderWithoutFailing) {
  TempDir tmp;
  fs::path src = tmp / "src";
  fs::create_directories(src);
  write_file(src / "a.txt", "a\n");
  ASSERT_EQ(::mkfifo((src / "b.fifo").c_str(), 0644), 0);
  write_file(src / "c.txt", "c\n");
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = (src / "d.sock").string();
  ASSERT_LT(sock_path.size(), sizeof(addr.sun_path));
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(sock);
  auto z = run_h5dig({"zip", (tmp / "t.h5").string(), src.string()});
  EXPECT_EQ(z.exit_code, 0) << z.err;
  EXPECT_EQ(z.err, "h5dig: zip: " + src.string() +
                       "/b.fifo: a FIFO; skipped (an archive holds files, directories and symlinks only)\n"
                       "h5dig: zip: " + src.string() +
                       "/d.sock: a socket; skipped (an archive holds files, directories and symlinks only)\n");
  EXPECT_NE(listing(tmp / "t.h5").find(" c.txt\n"), std::string::npos);
  auto v = run_h5dig({"verify", (tmp / "t.h5").string(), src.string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

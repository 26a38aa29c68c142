// Archive round trips, interop with h5ls / h5py / the talk's script, tampering,
// and extraction safety.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "h5dig/archive/archive.hpp"
#include "h5dig/error.hpp"
#include "support/fixtures.hpp"

namespace fs = std::filesystem;
using h5dig::test::read_file;
using h5dig::test::run;
using h5dig::test::run_h5dig;
using h5dig::test::run_python;
using h5dig::test::TempDir;
using h5dig::test::write_file;

namespace {


void set_mtime(const fs::path& p, std::int64_t sec, long nsec) {
  struct timespec t[2] = {{sec, nsec}, {sec, nsec}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), t, AT_SYMLINK_NOFOLLOW), 0) << p;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

std::string compressible_bytes(std::size_t n) {
  std::string s;
  s.reserve(n);
  for (int i = 0; s.size() < n; ++i) s += "line " + std::to_string(i % 1000) + " of a very compressible text file\n";
  s.resize(n);
  return s;
}

// Regular content only (the talk's script cannot archive links): nested and
// empty directories, empty files, large compressible and random files (several
// chunks each), non-ASCII, space-containing and leading-dot names.
void make_plain_tree(const fs::path& root) {
  fs::create_directories(root / "a" / "b" / "c");
  fs::create_directories(root / "empty dir");
  fs::create_directories(root / "a" / "empty");
  write_file(root / "hello.txt", "hello, world\n");
  write_file(root / "empty", "");
  write_file(root / "a" / "empty file", "");
  write_file(root / "a" / "b" / "c" / "deep.txt", "deep\n");
  write_file(root / ".hidden", "dot file\n");
  write_file(root / "with space.txt", "spaces\n");
  write_file(root / "na\xc3\xafve \xe2\x82\xac.txt", "non-ascii\n");
  write_file(root / "a" / "big.txt", compressible_bytes(2'700'000));
  write_file(root / "a" / "random.bin", random_bytes(2'300'000, 7));
  write_file(root / "a" / "small random", random_bytes(100, 8));
}

// The full tree: plain content plus modes, links and exact mtimes.
void make_full_tree(const fs::path& root) {
  make_plain_tree(root);
  ::chmod((root / "hello.txt").c_str(), 0600);
  ::chmod((root / "with space.txt").c_str(), 0644);
  ::chmod((root / "a" / "big.txt").c_str(), 0755);
  ::chmod((root / "a" / "b").c_str(), 0750);
  ASSERT_EQ(::symlink("hello.txt", (root / "rel link").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/hostname", (root / "abs link").c_str()), 0);
  ASSERT_EQ(::symlink("../nowhere/at all", (root / "a" / "dangling").c_str()), 0);
  ASSERT_EQ(::link((root / "a" / "big.txt").c_str(), (root / "a" / "b" / "hard to big").c_str()), 0);
  ASSERT_EQ(::link((root / "hello.txt").c_str(), (root / "zz hello again").c_str()), 0);
  // Exact nanosecond mtimes on files, then directories deepest first.
  std::int64_t t = 1'000'000'000;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_symlink() || entry.is_directory()) continue;
    set_mtime(entry.path(), t, 123'456'789);
    t += 1000;
  }
  for (const char* d : {"a/b/c", "a/b", "a/empty", "a", "empty dir", ""}) set_mtime(root / d, t++, 987'654'321);
}

struct Node {
  char kind = '?';
  std::uint32_t mode = 0;
  std::int64_t mtime_ns = 0;
  std::string content_or_target;
  ino_t ino = 0;
};

// Everything lstat says about a tree, keyed by relative path (the root is "").
std::map<std::string, Node> snapshot(const fs::path& root) {
  std::map<std::string, Node> out;
  auto add = [&](const fs::path& p, const std::string& rel) {
    struct stat st;
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    Node n;
    n.mode = st.st_mode & 07777;
    n.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    n.ino = st.st_ino;
    if (S_ISDIR(st.st_mode)) n.kind = 'd';
    if (S_ISREG(st.st_mode)) n.kind = 'f', n.content_or_target = read_file(p);
    if (S_ISLNK(st.st_mode)) n.kind = 'l', n.content_or_target = fs::read_symlink(p).string(), n.mtime_ns = 0;
    out[rel] = n;
  };
  add(root, "");
  for (const auto& entry : fs::recursive_directory_iterator(root))
    add(entry.path(), entry.path().lexically_relative(root).string());
  return out;
}

void expect_same_tree(const fs::path& expected, const fs::path& actual, bool check_meta) {
  auto a = snapshot(expected), b = snapshot(actual);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [rel, n] : a) {
    auto it = b.find(rel);
    ASSERT_NE(it, b.end()) << "missing " << rel;
    EXPECT_EQ(n.kind, it->second.kind) << rel;
    EXPECT_TRUE(n.content_or_target == it->second.content_or_target) << "content differs: " << rel;
    if (check_meta && n.kind != 'l') {
      EXPECT_EQ(n.mode, it->second.mode) << rel;
      EXPECT_EQ(n.mtime_ns, it->second.mtime_ns) << rel;
    }
  }
}

h5dig::archive::ZipOptions zip_options(int threads = 2) {
  h5dig::archive::ZipOptions o;
  o.threads = static_cast<unsigned>(threads);
  o.progress = false;
  return o;
}

h5dig::archive::UnzipStats unzip_to(const fs::path& archive, const fs::path& dir, std::ostream& warn,
                                    std::vector<std::string> members = {}) {
  h5dig::archive::UnzipOptions o;
  o.directory = dir;
  o.threads = 2;
  o.progress = false;
  o.members = std::move(members);
  return h5dig::archive::run_unzip(archive, o, warn);
}

std::uint64_t verify(const fs::path& archive, std::optional<fs::path> tree, std::string* out = nullptr) {
  h5dig::archive::VerifyOptions o;
  o.tree = std::move(tree);
  o.threads = 2;
  o.progress = false;
  std::ostringstream s;
  auto n = h5dig::archive::run_verify(archive, o, s);
  if (out) *out = s.str();
  return n;
}

// The set-up most tests share: make_tree builds a tree at tmp/src, which the
// library zips into tmp/<archive_name>. `warn` holds zip's warnings; tests
// that unzip pass it on, so one stream carries both.
struct ZippedTree {
  ZippedTree(const TempDir& tmp, void (*make_tree)(const fs::path&), const std::string& archive_name = "t.h5",
             const h5dig::archive::ZipOptions& options = zip_options())
      : src(tmp / "src"), archive(tmp / archive_name) {
    make_tree(src);
    stats = h5dig::archive::run_zip(archive, {src}, options, warn);
  }

  fs::path src;
  fs::path archive;
  std::ostringstream warn;
  h5dig::archive::ZipStats stats;
};

}  // namespace

TEST(ArchiveRoundTrip, RestoresBytesModesMtimesLinksAndHardLinks) {
  TempDir tmp;
  ZippedTree tree(tmp, make_full_tree, "tree.h5");
  EXPECT_EQ(tree.warn.str(), "");
  EXPECT_EQ(tree.stats.symlinks, 3u);
  EXPECT_EQ(tree.stats.hardlinks, 2u);
  // Incompressible chunks are stored without the filter (mask bit 0), the rest deflated.
  auto masks = run_python(R"PY(
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    for name in ("a/random.bin", "a/big.txt", "a/small random"):
        d = f[name]
        infos = [d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())]
        print(name, d.chunks[0], [i.filter_mask for i in infos], sum(i.size for i in infos))
)PY",
                          {tree.archive.string()});
  EXPECT_EQ(masks.out.substr(0, masks.out.find('\n')), "a/random.bin 766667 [1, 1, 1] 2300001") << masks.out;
  EXPECT_NE(masks.out.find("a/big.txt 900000 [0, 0, 0] "), std::string::npos) << masks.out;
  EXPECT_NE(masks.out.find("a/small random 100 [1] 100"), std::string::npos) << masks.out;

  auto out = tmp / "out";
  auto us = unzip_to(tree.archive, out, tree.warn);
  EXPECT_EQ(tree.warn.str(), "");
  EXPECT_EQ(us.refused + us.failed, 0u);
  expect_same_tree(tree.src, out, true);

  // Hard links come back as one inode; symlinks are not followed.
  auto snap = snapshot(out);
  EXPECT_EQ(snap["a/big.txt"].ino, snap["a/b/hard to big"].ino);
  EXPECT_EQ(snap["hello.txt"].ino, snap["zz hello again"].ino);
  EXPECT_EQ(snap["rel link"].content_or_target, "hello.txt");
  EXPECT_EQ(snap["abs link"].content_or_target, "/etc/hostname");
  EXPECT_EQ(snap["a/dangling"].content_or_target, "../nowhere/at all");

  std::string diff;
  EXPECT_EQ(verify(tree.archive, std::nullopt, &diff), 0u) << diff;
  EXPECT_EQ(verify(tree.archive, tree.src, &diff), 0u) << diff;
  EXPECT_EQ(verify(tree.archive, out, &diff), 0u) << diff;
}

TEST(ArchiveRoundTrip, SingleThreadAndStoreLevelGiveTheSameTree) {
  TempDir tmp;
  auto o = zip_options(1);
  o.level = 0;
  ZippedTree tree(tmp, make_full_tree, "t.h5", o);
  unzip_to(tree.archive, tmp / "out", tree.warn);
  EXPECT_EQ(tree.warn.str(), "");
  expect_same_tree(tree.src, tmp / "out", true);
}

TEST(ArchiveRoundTrip, SelectedMembersAndTheirParentsOnly) {
  TempDir tmp;
  ZippedTree tree(tmp, make_full_tree);
  auto stats = unzip_to(tree.archive, tmp / "out", tree.warn, {"a/b", "./hello.txt"});
  EXPECT_EQ(stats.refused + stats.failed, 0u) << tree.warn.str();
  EXPECT_EQ(read_file(tmp / "out" / "a" / "b" / "c" / "deep.txt"), "deep\n");
  // A hard link whose first link was not selected carries the content itself.
  EXPECT_EQ(read_file(tmp / "out" / "a" / "b" / "hard to big"), read_file(tree.src / "a" / "big.txt"));
  EXPECT_EQ(read_file(tmp / "out" / "hello.txt"), "hello, world\n");
  EXPECT_FALSE(fs::exists(tmp / "out" / "a" / "random.bin"));
  EXPECT_FALSE(fs::exists(tmp / "out" / "empty dir"));
}

TEST(ArchiveRoundTrip, SeveralDirectoriesAndExcludes) {
  TempDir tmp;
  fs::create_directories(tmp / "one" / "__pycache__");
  fs::create_directories(tmp / "two");
  write_file(tmp / "one" / "x.py", "x = 1\n");
  write_file(tmp / "one" / "__pycache__" / "x.pyc", "junk");
  write_file(tmp / "two" / "y.txt", "y\n");
  write_file(tmp / "two" / "skip.log", "log\n");
  auto o = zip_options();
  o.excludes = {"__pycache__", "*.log"};
  std::ostringstream warn;
  h5dig::archive::run_zip(tmp / "t.h5", {tmp / "one", tmp / "two/"}, o, warn);
  std::ostringstream list;
  h5dig::archive::run_ls_archive(tmp / "t.h5", list);
  EXPECT_NE(list.str().find(" one/x.py\n"), std::string::npos) << list.str();
  EXPECT_NE(list.str().find(" two/y.txt\n"), std::string::npos) << list.str();
  EXPECT_EQ(list.str().find("pycache"), std::string::npos) << list.str();
  EXPECT_EQ(list.str().find("skip.log"), std::string::npos) << list.str();
}

TEST(ArchiveList, TarStyleLines) {
  TempDir tmp;
  ZippedTree tree(tmp, make_full_tree);
  std::ostringstream list;
  h5dig::archive::run_ls_archive(tree.archive, list);
  const std::string s = list.str();
  EXPECT_NE(s.find("-rw-------           13 "), std::string::npos) << s;
  EXPECT_NE(s.find(" hello.txt\n"), std::string::npos) << s;
  EXPECT_NE(s.find("-rwxr-xr-x      2700000 "), std::string::npos) << s;
  EXPECT_NE(s.find("drwxr-x---            0 "), std::string::npos) << s;
  EXPECT_NE(s.find(" a/b/\n"), std::string::npos) << s;
  EXPECT_NE(s.find("lrwxrwxrwx            0 "), std::string::npos) << s;
  EXPECT_NE(s.find(" rel link -> hello.txt\n"), std::string::npos) << s;
  EXPECT_NE(s.find(" zz hello again link to hello.txt\n"), std::string::npos) << s;
}

TEST(ArchiveInterop, H5lsAndH5pyReadItLikeTheTalksArchive) {
  TempDir tmp;
  ZippedTree tree(tmp, make_plain_tree, "h5dig.h5");
  const auto& src = tree.src;
  run_python(h5dig::test::talk_h5zip_script(), {(tmp / "talk.h5").string(), src.string()});

  auto ours = run({"h5ls", "-r", tree.archive.string()});
  auto talks = run({"h5ls", "-r", (tmp / "talk.h5").string()});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(talks.exit_code, 0) << talks.err;
  EXPECT_EQ(ours.out, talks.out);
  EXPECT_NE(ours.out.find("/a/big.txt               Dataset {2700000}"), std::string::npos) << ours.out;

  // Plain h5py walks both the same way and gets every file's bytes back.
  const char* reader = R"PY(
import os, sys, h5py, numpy
root = sys.argv[2]
for name in sys.argv[1:2]:
    with h5py.File(name, "r") as f:
        seen = []
        def check(path, obj):
            full = os.path.join(root, path)
            if isinstance(obj, h5py.Dataset):
                assert obj.dtype == numpy.uint8 and obj.ndim == 1, path
                data = obj[()].tobytes()
                assert data == open(full, "rb").read(), path
                seen.append(path)
            else:
                assert os.path.isdir(full), path
        f.visititems(check)
        print(len(seen))
)PY";
  auto a = run_python(reader, {tree.archive.string(), src.string()});
  auto b = run_python(reader, {(tmp / "talk.h5").string(), src.string()});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out, "10\n");

  // h5dig cat gives an archived file back byte-exact (through HDF5's filters).
  auto cat = run({"h5dump", "-b", "LE", "-d", "/a/big.txt", "-o", (tmp / "big.out").string(), tree.archive.string()});
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_TRUE(read_file(tmp / "big.out") == read_file(src / "a" / "big.txt"));
}

TEST(ArchiveInterop, TalkArchiveExtractsWithDefaultModes) {
  TempDir tmp;
  auto src = tmp / "src";
  make_plain_tree(src);
  run_python(h5dig::test::talk_h5zip_script(), {(tmp / "talk.h5").string(), src.string()});
  std::ostringstream warn;
  auto stats = unzip_to(tmp / "talk.h5", tmp / "out", warn);
  EXPECT_EQ(stats.refused + stats.failed, 0u) << warn.str();
  expect_same_tree(src, tmp / "out", false);
  mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st;
  ASSERT_EQ(::stat((tmp / "out" / "hello.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u & ~mask);
  // No checksums to check, but every chunk decodes.
  std::string diff;
  EXPECT_EQ(verify(tmp / "talk.h5", std::nullopt, &diff), 0u) << diff;
}

TEST(ArchiveVerify, FindsAFlippedByteInAChunk) {
  TempDir tmp;
  ZippedTree tree(tmp, make_plain_tree);
  // Flip bytes in the middle of the second stored chunk of the compressible file.
  run_python(R"PY(
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    info = f["a/big.txt"].id.get_chunk_info(1)
    off, size = info.byte_offset, info.size
with open(sys.argv[1], "r+b") as f:
    f.seek(off + size // 2)
    b = f.read(4)
    f.seek(off + size // 2)
    f.write(bytes(x ^ 0x5A for x in b))
)PY",
             {tree.archive.string()});
  std::string diff;
  EXPECT_GE(verify(tree.archive, std::nullopt, &diff), 1u);
  EXPECT_NE(diff.find("a/big.txt"), std::string::npos) << diff;
  auto r = run_h5dig({"verify", tree.archive.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("a/big.txt"), std::string::npos) << r.out;
  // unzip refuses to leave the damaged file behind, extracts the rest, exits 1.
  auto u = run_h5dig({"unzip", "-C", (tmp / "out").string(), tree.archive.string()});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.err.find("a/big.txt"), std::string::npos) << u.err;
  EXPECT_FALSE(fs::exists(tmp / "out" / "a" / "big.txt"));
  EXPECT_EQ(read_file(tmp / "out" / "a" / "b" / "c" / "deep.txt"), "deep\n");
}

TEST(ArchiveVerify, FindsAChangedChecksumAttribute) {
  TempDir tmp;
  ZippedTree tree(tmp, make_plain_tree);
  run_python(R"PY(
import sys, h5py, numpy
with h5py.File(sys.argv[1], "r+") as f:
    d = f["hello.txt"]
    d.attrs.modify("crc32", numpy.uint32(int(d.attrs["crc32"]) ^ 1))
)PY",
             {tree.archive.string()});
  std::string diff;
  EXPECT_EQ(verify(tree.archive, std::nullopt, &diff), 1u);
  EXPECT_NE(diff.find("checksum mismatch: hello.txt"), std::string::npos) << diff;
}

TEST(ArchiveVerify, ListsEveryDifferenceWithTheTree) {
  TempDir tmp;
  ZippedTree tree(tmp, make_full_tree);
  const auto& src = tree.src;
  write_file(src / "a" / "b" / "c" / "deep.txt", "DEEP\n");        // same size, new content
  set_mtime(src / "a" / "b" / "c" / "deep.txt", 1'000'000'000, 0);  // and an mtime change
  ::chmod((src / "with space.txt").c_str(), 0600);
  fs::remove(src / "rel link");
  ASSERT_EQ(::symlink("elsewhere", (src / "rel link").c_str()), 0);
  fs::remove(src / ".hidden");
  write_file(src / "new file", "new\n");
  std::string diff;
  auto n = verify(tree.archive, src, &diff);
  EXPECT_NE(diff.find("content changed: a/b/c/deep.txt"), std::string::npos) << diff;
  EXPECT_NE(diff.find("mtime changed: a/b/c/deep.txt"), std::string::npos) << diff;
  EXPECT_NE(diff.find("mode changed: with space.txt (0644 in the archive, 0600 in the tree)"), std::string::npos)
      << diff;
  EXPECT_NE(diff.find("link target changed: rel link (hello.txt in the archive, elsewhere in the tree)"),
            std::string::npos)
      << diff;
  EXPECT_NE(diff.find("missing: .hidden"), std::string::npos) << diff;
  EXPECT_NE(diff.find("extra: new file"), std::string::npos) << diff;
  EXPECT_GE(n, 6u);
  auto r = run_h5dig({"verify", tree.archive.string(), src.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("difference"), std::string::npos) << r.err;
}

// Crafted archives (h5py): members named "..", a cycle, a soft link out of the tree.
TEST(ArchiveSafety, RefusesEscapingMembersAndExtractsTheRest) {
  TempDir tmp;
  auto outside = tmp / "outside";
  fs::create_directories(outside);
  run_python(R"PY(
import sys, h5py, numpy
def data(b): return numpy.frombuffer(b, dtype=numpy.uint8)
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("ok.txt", data=data(b"fine\n"))
    f.create_dataset("..", data=data(b"escaped\n"))        # a member named ".."
    g = f.create_group("sub")
    g.create_dataset("..", data=data(b"escaped too\n"))
    g.create_dataset("good", data=data(b"good\n"))
    f.create_group("loop")
    f["loop"]["again"] = f["loop"]                         # a group cycle (hard link)
    f["out"] = h5py.SoftLink(sys.argv[2])                  # an absolute symlink: kept as a symlink
)PY",
             {(tmp / "evil.h5").string(), outside.string()});
  auto dest = tmp / "dest" / "x";
  auto r = run_h5dig({"unzip", "-C", dest.string(), (tmp / "evil.h5").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("evil.h5/..: refused: unsafe name"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("evil.h5/sub/..: refused: unsafe name"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("loop/again: refused"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dest / "ok.txt"), "fine\n");
  EXPECT_EQ(read_file(dest / "sub" / "good"), "good\n");
  std::vector<std::string> top;
  for (const auto& e : fs::directory_iterator(tmp / "dest")) top.push_back(e.path().filename().string());
  EXPECT_EQ(top, std::vector<std::string>{"x"});  // nothing landed beside the root
  EXPECT_TRUE(fs::is_empty(tmp / "dest" / ".." / "outside"));  // tmp/outside untouched
  EXPECT_EQ(fs::read_symlink(dest / "out"), outside);
  // verify reports the unsafe members too.
  auto v = run_h5dig({"verify", (tmp / "evil.h5").string()});
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_NE(v.out.find("unsafe: .."), std::string::npos) << v.out;
}

TEST(ArchiveSafety, NeverWritesThroughAnArchivedSymlink) {
  TempDir tmp;
  auto outside = tmp / "outside";
  fs::create_directories(outside);
  // First archive: "s" is a symlink to a directory outside the extraction root.
  // Second archive: "s" is a directory with a file in it. Extracting both into
  // one root must not put the file outside.
  run_python(R"PY(
import sys, h5py, numpy
with h5py.File(sys.argv[1], "w") as f:
    f["s"] = h5py.SoftLink(sys.argv[3])
with h5py.File(sys.argv[2], "w") as f:
    f.create_group("s").create_dataset("evil", data=numpy.frombuffer(b"pwned\n", dtype=numpy.uint8))
    f.create_dataset("fine", data=numpy.frombuffer(b"fine\n", dtype=numpy.uint8))
)PY",
             {(tmp / "one.h5").string(), (tmp / "two.h5").string(), outside.string()});
  auto dest = tmp / "dest";
  auto r1 = run_h5dig({"unzip", "-C", dest.string(), (tmp / "one.h5").string()});
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  auto r2 = run_h5dig({"unzip", "-C", dest.string(), (tmp / "two.h5").string()});
  EXPECT_EQ(r2.exit_code, 1);
  EXPECT_NE(r2.err.find("two.h5/s: refused"), std::string::npos) << r2.err;
  EXPECT_FALSE(fs::exists(outside / "evil"));
  EXPECT_EQ(read_file(dest / "fine"), "fine\n");

  // A member argument that goes through an archived symlink, "..", or is absolute.
  run_python(R"PY(
import sys, h5py, numpy
with h5py.File(sys.argv[1], "w") as f:
    f.create_group("real").create_dataset("f", data=numpy.frombuffer(b"f\n", dtype=numpy.uint8))
    f["link"] = h5py.SoftLink("/real")
)PY",
             {(tmp / "three.h5").string()});
  auto r3 = run_h5dig({"unzip", "-C", (tmp / "d3").string(), (tmp / "three.h5").string(), "link/f", "../real/f",
                       "/real/f", "real/f"});
  EXPECT_EQ(r3.exit_code, 1);
  EXPECT_NE(r3.err.find("link/f: refused: goes through an archived symlink"), std::string::npos) << r3.err;
  EXPECT_NE(r3.err.find("../real/f: refused"), std::string::npos) << r3.err;
  EXPECT_NE(r3.err.find("/real/f: refused: absolute member name"), std::string::npos) << r3.err;
  EXPECT_EQ(read_file(tmp / "d3" / "real" / "f"), "f\n");
  EXPECT_FALSE(fs::exists(tmp / "d3" / "link"));
}

TEST(ArchiveCli, ZipUnzipVerifyEndToEnd) {
  TempDir tmp;
  auto src = tmp / "src";
  make_full_tree(src);
  auto z = run_h5dig({"zip", "-t", "2", (tmp / "t.h5").string(), src.string()});
  ASSERT_EQ(z.exit_code, 0) << z.err;
  EXPECT_EQ(z.err, "");  // no progress bar when stderr is not a terminal
  for (const auto& e : fs::directory_iterator(tmp.path()))
    EXPECT_EQ(e.path().filename().string().find(".h5dig-"), std::string::npos) << e.path();  // util::AtomicOutput's temporary
  auto u = run_h5dig({"unzip", "-C", (tmp / "out").string(), (tmp / "t.h5").string()});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  auto v = run_h5dig({"verify", (tmp / "t.h5").string(), (tmp / "out").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(v.out, "");
  EXPECT_NE(v.err.find("no differences"), std::string::npos) << v.err;
  auto ls = run_h5dig({"ls", "--archive", (tmp / "t.h5").string()});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find(" rel link -> hello.txt\n"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("-rwxr-xr-x      2700000 "), std::string::npos) << ls.out;
  // h5dig ls -r lists it as h5ls -r does; h5dig cat gives a file back byte-exact.
  auto h5ls = run({"h5ls", "-r", (tmp / "t.h5").string()});
  auto ours = run_h5dig({"ls", "-r", (tmp / "t.h5").string()});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, h5ls.out);
  auto cat = run_h5dig({"cat", (tmp / "t.h5").string() + "/a/big.txt"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_TRUE(cat.out == read_file(src / "a" / "big.txt"));
  auto bad = run_h5dig({"zip", (tmp / "x.h5").string(), (tmp / "no such dir").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no such dir"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(tmp / "x.h5"));
  auto not_h5 = run_h5dig({"unzip", "-C", (tmp / "o2").string(), (src / "hello.txt").string()});
  EXPECT_EQ(not_h5.exit_code, 1);
  EXPECT_NE(not_h5.err.find("hello.txt"), std::string::npos) << not_h5.err;
  auto usage = run_h5dig({"zip", "-l", "99", (tmp / "y.h5").string(), src.string()});
  EXPECT_EQ(usage.exit_code, 2);
}

// format/: checksums, and damaged files -> Error(corrupt) naming the structure
// and address (never a crash, hang or unbounded allocation).
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "chunk/fixtures_py.hpp"
#include "h5dig/chunk/chunk_map.hpp"
#include "h5dig/error.hpp"
#include "h5dig/format/checksum.hpp"
#include "h5dig/format/chunk_index.hpp"
#include "h5dig/format/object_header.hpp"
#include "h5dig/format/superblock.hpp"
#include "h5dig/h5/objects.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

TEST(FormatChecksum, Lookup3MatchesTheReferenceVectors) {
  // Bob Jenkins' lookup3.c driver values.
  EXPECT_EQ(format::lookup3({}, 0), 0xdeadbeefu);
  EXPECT_EQ(format::lookup3(bytes_of("Four score and seven years ago"), 0), 0x17770551u);
  EXPECT_EQ(format::lookup3(bytes_of("Four score and seven years ago"), 1), 0xcd628161u);
}

// A fixture file plus each dataset's object-header address, found through HDF5.
struct Files {
  TempDir dir;
  std::filesystem::path latest = dir / "latest.h5";
  std::filesystem::path classic = dir / "default.h5";
  Files() {
    test::run_python(test::kChunkFixtureScript, {latest.string(), "latest", "0"});
    test::run_python(test::kChunkFixtureScript, {classic.string(), "default", "0"});
  }
  static std::uint64_t header_address(const std::filesystem::path& path, const std::string& dset) {
    auto file = h5::File::open(path);
    return file.root().open_dataset(dset).header_address();
  }
};

Files& files() {
  static Files f;
  return f;
}

// Maps `dset` of the (possibly damaged) file image `image` with format/ only.
std::size_t walk(const std::string& image, std::uint64_t header_address) {
  format::FileReader reader(bytes_of(image), "damaged.h5");
  auto sb = format::read_superblock(reader);
  auto header = format::read_dataset_header(reader, sb, header_address);
  std::size_t n = 0;
  format::walk_chunk_index(reader, sb, header, [&](std::span<const std::uint64_t>, const format::ChunkRecord&) { ++n; });
  return n;
}

format::DatasetHeader header_of(const std::string& image, std::uint64_t header_address) {
  format::FileReader reader(bytes_of(image), "x.h5");
  auto sb = format::read_superblock(reader);
  return format::read_dataset_header(reader, sb, header_address);
}

void expect_corrupt(const std::string& image, std::uint64_t header_address, const std::string& needle) {
  try {
    walk(image, header_address);
    ADD_FAILURE() << "expected Error(corrupt) mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("address"), std::string::npos) << e.what();
  }
}

TEST(FormatCorrupt, UndamagedFilesWalk) {
  auto image = test::read_file(files().classic);
  EXPECT_EQ(walk(image, Files::header_address(files().classic, "many")), 3000u);
  auto latest = test::read_file(files().latest);
  EXPECT_EQ(walk(latest, Files::header_address(files().latest, "many")), 3000u);
  EXPECT_EQ(walk(latest, Files::header_address(files().latest, "bt2_gzip")), 900u);
}

TEST(FormatCorrupt, BadBtree1SignatureNamesTheNode) {
  auto image = test::read_file(files().classic);
  auto addr = Files::header_address(files().classic, "many");
  auto root = header_of(image, addr).layout.index_address;
  ASSERT_EQ(image.substr(root, 4), "TREE");
  image[root + 1] = 'X';
  expect_corrupt(image, addr, "v1 B-tree node at address " + std::to_string(root));
}

TEST(FormatCorrupt, Btree1ChildPointingBackToTheRootIsCaught) {
  auto image = test::read_file(files().classic);
  auto addr = Files::header_address(files().classic, "many");
  auto root = header_of(image, addr).layout.index_address;
  ASSERT_GE(static_cast<unsigned>(image[root + 5]), 1u) << "need a multi-level tree";
  // First child pointer: after the 24-byte prefix and the first key (8 + 8*2).
  std::uint64_t self = root;
  std::memcpy(image.data() + root + 24 + 24, &self, 8);
  expect_corrupt(image, addr, "v1 B-tree node");
}

TEST(FormatCorrupt, Btree1LyingEntryCountIsCaught) {
  auto image = test::read_file(files().classic);
  auto addr = Files::header_address(files().classic, "edge");
  auto root = header_of(image, addr).layout.index_address;
  image[root + 6] = '\xff';
  image[root + 7] = '\xff';  // 65535 entries used
  expect_corrupt(image, addr, "v1 B-tree node");
}

TEST(FormatCorrupt, ChecksumMismatchInFixedArrayHeader) {
  auto image = test::read_file(files().latest);
  auto addr = Files::header_address(files().latest, "edge");
  auto hdr = header_of(image, addr);
  ASSERT_EQ(hdr.layout.index, format::ChunkIndexKind::farray);
  image[hdr.layout.index_address + 8] ^= 1;  // element count
  expect_corrupt(image, addr, "checksum mismatch");
}

TEST(FormatCorrupt, ChecksumMismatchInV2BtreeLeaf) {
  auto image = test::read_file(files().latest);
  auto addr = Files::header_address(files().latest, "bt2");
  // Damage every leaf in the file (whichever belong to this tree).
  std::size_t leaves = 0;
  for (auto pos = image.find("BTLF"); pos != std::string::npos; pos = image.find("BTLF", pos + 4), ++leaves)
    image[pos + 10] ^= 0x40;
  ASSERT_GT(leaves, 0u);
  expect_corrupt(image, addr, "v2 B-tree leaf node");
}

TEST(FormatCorrupt, ExtensibleArrayIndexBlockPastTheEndOfTheFile) {
  auto image = test::read_file(files().latest);
  auto addr = Files::header_address(files().latest, "ext");
  auto hdr = header_of(image, addr);
  ASSERT_EQ(hdr.layout.index, format::ChunkIndexKind::earray);
  // Truncate the file just after the header: the index block is now past EOF
  // (the header's checksum still holds).
  auto eahd = hdr.layout.index_address;
  ASSERT_EQ(image.substr(eahd, 4), "EAHD");
  std::string cut = image.substr(0, eahd + 64);
  try {
    walk(cut, addr);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt) << e.what();
    EXPECT_NE(std::string(e.what()).find("past the end of the file"), std::string::npos) << e.what();
  }
}

TEST(FormatCorrupt, NotAnHdf5File) {
  std::string junk(4096, 'x');
  format::FileReader reader(bytes_of(junk), "junk.h5");
  try {
    format::read_superblock(reader);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt);
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos);
  }
}

// Random single-byte damage anywhere in the metadata: every outcome is either
// a walk or an h5dig::Error (a crash or hang fails the test run).
TEST(FormatCorrupt, RandomByteDamageNeverCrashes) {
  std::mt19937_64 rng(42);
  for (const auto* path : {&files().classic, &files().latest}) {
    const auto image = test::read_file(*path);
    for (const char* name : {"edge_gzip", "ext", "bt2_gzip", "many", "sparse", "single_gzip"}) {
      auto addr = Files::header_address(*path, name);
      // Damage concentrated on the first 64 KiB (where the metadata sits).
      std::uniform_int_distribution<std::size_t> pos(0, std::min<std::size_t>(image.size(), 65536) - 1);
      for (int trial = 0; trial < 150; ++trial) {
        std::string damaged = image;
        for (int k = 0; k < 1 + trial % 4; ++k) damaged[pos(rng)] = static_cast<char>(rng());
        try {
          walk(damaged, addr);
        } catch (const Error&) {
        }
      }
    }
  }
}

}  // namespace
}  // namespace h5dig

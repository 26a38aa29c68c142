#include "h5dig/h5/objects.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>  // the test talks to HDF5 itself

#include "h5dig/h5/filters.hpp"
#include "h5dig/object_path.hpp"
#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::TempDir;

TEST(H5Objects, MissingFileIsIoErrorNamingTheFile) {
  TempDir dir;
  auto path = dir / "absent.h5";
  try {
    h5::File::open(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::io);
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
  }
}

TEST(H5Objects, NotHdf5FileIsRejected) {
  TempDir dir;
  auto path = dir / "text.h5";
  test::write_file(path, "this is not an HDF5 file\n");
  EXPECT_FALSE(h5::is_hdf5(path));
  EXPECT_THROW(h5::File::open(path), Error);
}

TEST(H5Objects, CreateWriteReadRoundTrip) {
  TempDir dir;
  auto path = dir / "t.h5";
  {
    auto file = h5::File::create(path);
    auto root = file.root();
    auto group = root.create_group("g");
    hsize_t dims[] = {4};
    auto space = h5::Dataspace::simple(dims);
    hid_t d = H5Dcreate2(group.id(), "d", H5T_STD_U16LE, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    h5::Dataset dset(h5::check_id(d, "H5Dcreate2"));
    std::uint16_t values[] = {1, 2, 3, 65535};
    dset.write(H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, values);
    group.write_string_attribute("note", "hello");
  }
  auto file = h5::File::open(path);
  auto root = file.root();
  EXPECT_TRUE(root.exists("g/d"));
  EXPECT_TRUE(root.exists("/g"));
  EXPECT_FALSE(root.exists("g/missing"));
  EXPECT_FALSE(root.exists("nope/deeper"));
  auto dset = root.open_dataset("g/d");
  EXPECT_EQ(dset.space().dims(), std::vector<hsize_t>{4});
  EXPECT_EQ(dset.layout(), h5::Layout::contiguous);
  std::uint16_t back[4] = {};
  dset.read(H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, back);
  EXPECT_EQ(back[3], 65535);
  EXPECT_EQ(root.open_group("g").read_string_attribute("note").value(), "hello");
  EXPECT_FALSE(root.open_group("g").read_string_attribute("absent").has_value());
}

TEST(H5Objects, FailedCallCarriesTheHdf5StackInOneLine) {
  TempDir dir;
  auto path = dir / "t.h5";
  auto file = h5::File::create(path);
  try {
    file.root().open_dataset("no/such/thing");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind("H5Dopen2 failed", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(H5Objects, HandlesAreMoveOnlyAndCloseOnce) {
  static_assert(!std::is_copy_constructible_v<h5::DatasetId>);
  static_assert(std::is_nothrow_move_constructible_v<h5::DatasetId>);
  h5::init();
  hid_t raw = H5Screate(H5S_SCALAR);
  {
    h5::DataspaceId a(raw);
    h5::DataspaceId b(std::move(a));
    EXPECT_FALSE(a.valid());
    EXPECT_EQ(b.get(), raw);
  }
  EXPECT_LE(H5Iis_valid(raw), 0);  // closed exactly once by b
}

TEST(H5Objects, FilterSpecsAreReadAsStored) {
  TempDir dir;
  auto path = dir / "f.h5";
  auto file = h5::File::create(path);
  auto dcpl = h5::PropList::create(H5P_DATASET_CREATE);
  hsize_t chunk[] = {8};
  H5Pset_chunk(dcpl.id(), 1, chunk);
  H5Pset_shuffle(dcpl.id());
  H5Pset_deflate(dcpl.id(), 6);
  H5Pset_fletcher32(dcpl.id());
  auto specs = h5::read_filter_specs(dcpl);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].id, codec::kShuffleId);
  EXPECT_EQ(specs[1].id, codec::kDeflateId);
  EXPECT_EQ(specs[1].cd_values, std::vector<unsigned>{6});
  EXPECT_EQ(specs[1].name, "deflate");
  EXPECT_EQ(specs[2].id, codec::kFletcher32Id);
}

TEST(ObjectPath, SplitsAtLongestExistingFile) {
  TempDir dir;
  auto path = dir / "a.h5";
  test::write_file(path, "x");
  auto p = split_object_path(path.string() + "/group/data");
  EXPECT_EQ(p.file, path.string());
  EXPECT_EQ(p.object, "group/data");
  EXPECT_EQ(split_object_path(path.string()).object, "");
  EXPECT_EQ(split_object_path(path.string() + "/").object, "");
  EXPECT_THROW(split_object_path((dir / "missing.h5/x").string()), Error);
}

TEST(ObjectPath, AbsolutePathsAsHdf5NamesThem) {
  EXPECT_EQ(absolute_object_path(""), "/");
  EXPECT_EQ(absolute_object_path("/"), "/");
  EXPECT_EQ(absolute_object_path("///"), "/");
  EXPECT_EQ(absolute_object_path("a/b/"), "/a/b");
  EXPECT_EQ(absolute_object_path("/a/b"), "/a/b");
}

}  // namespace
}  // namespace h5dig

// Every command names a missing file, a directory and a file that is not HDF5
// in one plain stderr line, exit 1 — not HDF5's error stack.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

struct Invocation {
  std::vector<std::string> args;  // before the file argument
  std::string suffix;             // appended to the file argument ("/data" for dataset commands)
};

const Invocation kCommands[] = {
    {{"ls"}, ""},          {{"ls", "-r", "-v"}, ""}, {{"ls", "--archive"}, ""}, {{"cat"}, "/data"},
    {{"chunks"}, "/data"}, {{"read"}, "/data"},       {{"advise"}, "/data"},     {{"verify"}, ""},
};

void expect_one_line(const test::TempDir& dir, const std::string& file, const std::string& reason) {
  for (const auto& c : kCommands) {
    std::vector<std::string> args = c.args;
    args.push_back(file + c.suffix);
    auto r = test::run_h5dig(args, dir.path());
    const std::string what = c.args[0] + " " + file + c.suffix;
    EXPECT_EQ(r.exit_code, 1) << what << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << what << ": " << r.err;
    EXPECT_EQ(r.err.find("errno"), std::string::npos) << what << ": HDF5 internals leaked: " << r.err;
  }
}

TEST(OpenErrors, MissingFileDirectoryAndNonHdf5AreOneLine) {
  test::TempDir dir;
  std::filesystem::create_directory(dir / "adir");
  std::ofstream(dir / "text.h5") << "not an HDF5 file\n";
  expect_one_line(dir, "missing.h5", "missing.h5");
  expect_one_line(dir, "missing.h5", "no such file");
  expect_one_line(dir, "text.h5", "text.h5: cannot open as HDF5");
  // A directory as FILE: commands that take FILE say so; FILE/DATASET finds no file.
  for (const auto& c : kCommands) {
    std::vector<std::string> args = c.args;
    args.push_back("adir" + c.suffix);
    auto r = test::run_h5dig(args, dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    const std::string expected = c.suffix.empty() ? "adir: is a directory, not an HDF5 file" : "adir/data: no such file";
    EXPECT_NE(r.err.find(expected), std::string::npos) << c.args[0] << ": " << r.err;
  }
}

}  // namespace
}  // namespace h5dig

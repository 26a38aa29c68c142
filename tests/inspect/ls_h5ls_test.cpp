// `h5dig ls` against the real h5ls 1.10.8 binary: every fixture, every flag
// set, byte for byte. Fixtures are written by h5py (and the filter plugins)
// once per suite into a temporary directory.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/fixtures.hpp"

namespace h5dig {
namespace {

using test::run;
using test::run_h5dig;
using test::run_python;


// A small source-like tree: nested directories, text, binary, empty and
// long-named files (names past h5ls's 24-column field).
const char* kMakeTree = R"PY(
import os, sys, random
root = sys.argv[1]
random.seed(7)
os.makedirs(os.path.join(root, "Doc", "library"))
os.makedirs(os.path.join(root, "Tools", "unittestgui"))
os.makedirs(os.path.join(root, "Lib", "test", "subprocessdata"))
def put(rel, data):
    with open(os.path.join(root, rel), "wb") as fh:
        fh.write(data)
put("README.rst", b"This is Python version 3.10.14\n" * 40)
put("CODE_OF_CONDUCT.md", b"# Code of Conduct\n\nPlease note that all interactions on\n[Python Software Foundation](https://www.python.org/psf-landing/)-supported\n")
put("Doc/Makefile", b"all:\n\techo done\n")
put("Doc/library/subprocess.rst", ("subprocess \u2014 Subprocess management\n" * 300).encode())
put("Tools/unittestgui/README.txt", b"unittestgui\n" * 50)
put("Tools/unittestgui/unittestgui.py", b"import tkinter\n" * 1200)
put("Lib/test/subprocessdata/qcat.py", b"import sys\n")
put("Lib/test/subprocessdata/empty.txt", b"")
put("Lib/binary.bin", bytes(range(256)) * 64 + bytes(random.getrandbits(8) for _ in range(70000)))
)PY";

// ctest runs every case in its own process, so SetUpTestSuite runs per case.
// The h5py fixtures are therefore made once per build: into a directory under
// the build tree named by a hash of the scripts that make them (a changed
// script makes a fresh set), written under a temporary name and renamed into
// place, so concurrent test processes never see a half-made set.
std::filesystem::path g_fixture_dir;

std::filesystem::path make_fixtures() {
  namespace fs = std::filesystem;
  auto script = test::read_file(test::source_dir() / "tests/interop/ls_fixtures.py");
  std::size_t hash = std::hash<std::string>{}(script + kMakeTree + test::talk_h5zip_script());
  char name[64];
  std::snprintf(name, sizeof name, "ls-fixtures-%016zx", hash);
  fs::path root = test::h5dig_binary().parent_path() / "test-fixtures";
  fs::path final_dir = root / name;
  if (fs::exists(final_dir / ".complete")) return final_dir;
  fs::create_directories(root);
  fs::path tmp = root / (std::string(name) + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  // From the fixture directory: external raw-data files and virtual dataset
  // sources are named relative to it.
  run_python(script, {tmp.string()}, tmp);
  run_python(kMakeTree, {(tmp / "Python-3.10.14").string()});
  // The talk runs h5zip from the directory holding the tree.
  run_python(test::talk_h5zip_script(), {"talkzip.h5", "Python-3.10.14"}, tmp);
  test::write_file(tmp / ".complete", "");
  std::error_code ec;
  fs::rename(tmp, final_dir, ec);
  if (ec) fs::remove_all(tmp, ec);  // another process finished first: use its set
  return final_dir;
}

struct LsCase {
  std::string name;                 // test name suffix
  std::vector<std::string> flags;   // h5ls flags, passed identically to h5dig ls
  std::string target;               // FILE[/OBJECT], FILE relative to the fixture dir
};

void PrintTo(const LsCase& c, std::ostream* os) {
  *os << c.name << ": ls";
  for (const auto& f : c.flags) *os << ' ' << f;
  *os << ' ' << c.target;
}

class LsMatchesH5ls : public ::testing::TestWithParam<LsCase> {
 public:
  static void SetUpTestSuite() {
    // Modified: lines are local time; pin the zone so both tools agree.
    ::setenv("TZ", "UTC", 1);
    // And the default data width (h5ls reads $COLUMNS and the terminal).
    ::unsetenv("COLUMNS");
    g_fixture_dir = make_fixtures();
  }
};

TEST_P(LsMatchesH5ls, ByteIdentical) {
  const LsCase& c = GetParam();
  std::vector<std::string> h5ls_args{"/usr/bin/h5ls"};
  std::vector<std::string> dig_args{"ls"};
  for (const auto& f : c.flags) {
    h5ls_args.push_back(f);
    dig_args.push_back(f);
  }
  // Run from the fixture directory with a relative name, as users do: the
  // name appears in the "Opened ..." line and external/virtual file names.
  h5ls_args.push_back(c.target);
  dig_args.push_back(c.target);
  auto expected = run(h5ls_args, g_fixture_dir);
  ASSERT_EQ(expected.exit_code, 0) << "h5ls failed: " << expected.err;
  auto got = run_h5dig(dig_args, g_fixture_dir);
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.err, "");
  EXPECT_EQ(got.out, expected.out);
}

std::string flag_name(const std::vector<std::string>& flags) {
  std::string s;
  for (const auto& f : flags) {
    for (char ch : f) {
      if (std::isalnum(static_cast<unsigned char>(ch))) s += ch;
    }
  }
  return s.empty() ? "plain" : s;
}

std::string clean(const std::string& s) {
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

std::vector<LsCase> make_cases() {
  using Flags = std::vector<std::string>;
  const std::vector<Flags> all_flags = {{},      {"-r"},  {"-v"},   {"-rv"},          {"-d"},
                                        {"-rvd"}, {"-S"}, {"-rvS"}, {"-w40", "-rd"}, {"-rvdS"},
                                        {"-w", "0", "-rd"}, {"-w120", "-rvd"}};
  const std::vector<Flags> address_flags = {{"-va"}, {"-rva"}};
  std::vector<LsCase> cases;
  auto add = [&](const std::string& label, const Flags& flags, const std::string& target) {
    cases.push_back({clean(label) + "_" + flag_name(flags), flags, target});
  };
  for (const char* file : {"links", "types", "attrs", "layouts", "filters", "latest", "talkzip"}) {
    for (const auto& f : all_flags) add(file, f, std::string(file) + ".h5");
  }
  // Region references: -d prints each in h5dump's words, laid out at 80
  // columns whatever -w says (but the datatype blocks inside follow -w).
  // -w78/-w79 sit on the attribute wrap boundary; -S never wraps values.
  for (const auto& f : all_flags) add("region", f, "region.h5");
  for (const auto& f : std::vector<Flags>{{"-w78", "-rvd"}, {"-w79", "-rvd"}, {"-w30", "-rvd"}, {"-w30", "-rvdS"},
                                          {"-w20", "-rvdS"}}) {
    add("region", f, "region.h5");
  }
  for (const char* target : {"region.h5/refs", "region.h5/type_refs", "region.h5/long_names", "region.h5/many",
                             "region.h5/scalar_ref", "region.h5/dangling", "region.h5/in_compound",
                             "region.h5/in_array", "region.h5/huge_selection", "region.h5/boundary",
                             "region.h5/objref_to_regions"}) {
    for (const auto& f : std::vector<Flags>{{"-d"}, {"-vd"}, {"-dS"}}) add(target, f, target);
  }
  // A dataset's attributes holding region references (shown with -v).
  for (const auto& f : std::vector<Flags>{{"-vd"}, {"-vdS"}}) add("region.h5/data", f, "region.h5/data");
  // Plain attribute values wrap three columns short of -w (h5tools counts an
  // indentation level it does not print); -S wraps no values at all.
  for (const auto& f : std::vector<Flags>{{"-w77", "-rvd"}, {"-w79", "-rvd"}, {"-w20", "-rvdS"}}) {
    add("attrs", f, "attrs.h5");
  }
  add("types", {"-w20", "-rvdS"}, "types.h5");
  // Object references in attributes and nested values; at narrow widths h5ls
  // puts an empty line before each "}" and moves the "Data:" headings.
  for (const auto& f : std::vector<Flags>{{"-rvd"}, {"-rvdS"}, {"-w0", "-rvd"}, {"-w16", "-rvd"}, {"-w17", "-rvd"},
                                          {"-w22", "-rvd"}, {"-w23", "-rvd"}, {"-w10", "-rvd"}, {"-w14", "-rvd"},
                                          {"-w60", "-rvd"}}) {
    add("objrefs", f, "objrefs.h5");
  }
  for (const auto& f : std::vector<Flags>{{"-w10", "-rvd"}, {"-w14", "-rvd"}}) add("attrs", f, "attrs.h5");
  // -a: h5ls calls H5Ddebug, which crashes on chunked datasets that have no
  // chunk index yet, so layouts.h5 is listed object by object, skipping those.
  for (const char* file : {"links", "types", "attrs", "filters", "latest"}) {
    for (const auto& f : address_flags) add(file, f, std::string(file) + ".h5");
  }
  // (talkzip.h5 as a whole holds the empty file: a chunked dataset without chunks.)
  for (const char* target : {"talkzip.h5/Doc", "talkzip.h5/Tools", "talkzip.h5/CODE_OF_CONDUCT.md"}) {
    for (const auto& f : address_flags) add(target, f, target);
  }
  for (const char* obj : {"contiguous", "compact", "chunked", "unlimited", "external", "virtual", "unallocated",
                          "scalar", "null", "tracked"}) {
    for (const auto& f : address_flags) add(std::string("layouts_") + obj, f, std::string("layouts.h5/") + obj);
  }
  // FILE/OBJECT paths: groups (listed as their contents), datasets, links.
  const std::vector<Flags> object_flags = {{}, {"-r"}, {"-v"}, {"-rvd"}, {"-S"}};
  for (const char* target : {"links.h5/grp", "links.h5/grp/", "links.h5/grp/sub", "links.h5/grp/data",
                             "links.h5/soft", "links.h5/dangling", "links.h5/external", "links.h5/hard_group",
                             "types.h5/compound", "types.h5/strings", "attrs.h5/instrument",
                             "attrs.h5/instrument/frames", "filters.h5/lz4", "latest.h5/ordered",
                             "talkzip.h5/CODE_OF_CONDUCT.md", "talkzip.h5/Tools/unittestgui/README.txt",
                             "talkzip.h5/Lib/test", "talkzip.h5/Lib/test/subprocessdata/empty.txt"}) {
    for (const auto& f : object_flags) add(target, f, target);
  }
  // Several files in one call (h5ls numbers each file's objects 1:, 2:, ...).
  add("two_files", {"-v"}, "links.h5/grp/data");
  cases.back().flags.push_back("types.h5/enum");
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LsMatchesH5ls, ::testing::ValuesIn(make_cases()),
                         [](const ::testing::TestParamInfo<LsCase>& info) { return info.param.name; });

}  // namespace
}  // namespace h5dig

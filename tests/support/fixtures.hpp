// Test support: temporary directories, running h5py scripts and the built
// binaries. Fixture files are always made at test time, in a TempDir.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace h5dig::test {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` (no shell) with optional working directory; captures stdout/stderr.
CommandResult run(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {});

// Runs the built h5dig binary with `args`.
CommandResult run_h5dig(const std::vector<std::string>& args, const std::filesystem::path& cwd = {});

// Runs a Python script with Debian's /usr/bin/python3 (which has h5py, numpy and
// the filter plugins). `script` is the source; extra args become sys.argv[1:].
// Fails the current test (ADD_FAILURE) with the script's stderr if it exits non-zero.
CommandResult run_python(const std::string& script, const std::vector<std::string>& args = {},
                         const std::filesystem::path& cwd = {});

// The talk's h5zip script, read out of ../shared/seed/hdf5-talk.md beside the
// checkout ($H5DIG_TALK overrides); h5dig keeps no copy of the talk's code.
std::string talk_h5zip_script();

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

// Paths baked in at build time.
std::filesystem::path h5dig_binary();
std::filesystem::path source_dir();

}  // namespace h5dig::test

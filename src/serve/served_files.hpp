// Private to serve/: which files `h5dig serve` serves and under which names.
//
// One directory argument: files are named by their path relative to it.
// Otherwise each argument by its base name (a directory's files as
// "dir/..."). A name is served only if it is clean (no empty, ".", ".." or
// dot-segments, no '\' or NUL), does not pass through a symlinked directory,
// resolves (symlinks included) inside its argument's real directory, and is a
// regular file with the HDF5 signature. resolve() answers nullopt for every
// other name alike, so callers give one 404 whatever the reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace h5dig::serve {

class ServedFiles {
 public:
  // Throws Error(usage) naming a missing argument, or two with the same name.
  explicit ServedFiles(const std::vector<std::string>& arguments);

  struct Entry {
    std::string name;
    std::uint64_t size = 0;
  };
  // The served HDF5 files, sorted by name, at most `limit` (then `truncated`).
  std::vector<Entry> list(std::size_t limit, bool& truncated) const;

  // The real path of a served name, or nullopt.
  std::optional<std::filesystem::path> resolve(std::string_view name) const;

  // `message` with every argument's real path replaced by its served name, so
  // no path on the server reaches an answer.
  std::string scrub(std::string message) const;

 private:
  struct Root {
    std::string name;             // "" for the single directory argument
    std::filesystem::path real;   // canonical
    bool directory = false;
  };
  std::optional<std::filesystem::path> resolve_in(const Root& root, std::span<const std::string_view> segments) const;
  std::vector<Root> roots_;
};

// True if `path` carries the HDF5 signature at byte 0, 512, 1024, 2048...
// (H5Fis_hdf5's rule, without entering HDF5).
bool has_hdf5_signature(const std::filesystem::path& path);

}  // namespace h5dig::serve

// Files (H5F).
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <filesystem>

#include "h5dig/h5/group.hpp"

namespace h5dig::h5 {

class File {
 public:
  enum class Mode { read_only, read_write };
  // Opens an existing file with the sec2 driver; throws Error(io) naming it.
  static File open(const std::filesystem::path& path, Mode mode = Mode::read_only);
  // Creates (truncating) a file; `fapl`/`fcpl` may be kDefaultPlist.
  static File create(const std::filesystem::path& path, Id fcpl = kDefaultPlist, Id fapl = kDefaultPlist);

  Id id() const noexcept { return id_.get(); }
  const std::filesystem::path& path() const noexcept { return path_; }
  Group root() const;
  void flush() const;
  // Closes now (checked), rather than at destruction.
  void close();

 private:
  File(Id owned, std::filesystem::path path) : id_(owned), path_(std::move(path)) {}
  FileId id_;
  std::filesystem::path path_;
};

// True if `path` is an HDF5 file (H5Fis_hdf5), false otherwise; never throws.
bool is_hdf5(const std::filesystem::path& path);

}  // namespace h5dig::h5

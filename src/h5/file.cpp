#include "h5dig/h5/file.hpp"

#include "h5/hdf5.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::h5 {

File File::open(const std::filesystem::path& path, Mode mode) {
  init();
  // The plain reasons first: HDF5's own message for these is a stack of
  // internals ("file read failed: time = ..., errno = 21").
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw Error(ErrorKind::io,
                fmt::format("{}: {}", path.string(), err == ENOENT ? "no such file" : std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) throw Error(ErrorKind::io, fmt::format("{}: is a directory, not an HDF5 file", path.string()));
  unsigned flags = mode == Mode::read_only ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  util::breadcrumb_file(path.string());
  hid_t id = H5Fopen(path.c_str(), flags, H5P_DEFAULT);
  if (id < 0) {
    std::string stack = error_stack_message();
    throw Error(ErrorKind::io, fmt::format("{}: cannot open as HDF5{}", path.string(), stack.empty() ? "" : ": " + stack));
  }
  return File(id, path);
}

File File::create(const std::filesystem::path& path, hid_t fcpl, hid_t fapl) {
  init();
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  if (id < 0) {
    std::string stack = error_stack_message();
    throw Error(ErrorKind::io, fmt::format("{}: cannot create{}", path.string(), stack.empty() ? "" : ": " + stack));
  }
  return File(id, path);
}

Group File::root() const { return Group(check_id(H5Gopen2(id(), "/", H5P_DEFAULT), "H5Gopen2")); }

void File::flush() const { check(H5Fflush(id(), H5F_SCOPE_LOCAL), "H5Fflush"); }

void File::close() {
  if (!id_) return;
  herr_t status = H5Fclose(id_.release());
  check(status, "H5Fclose");
}

bool is_hdf5(const std::filesystem::path& path) {
  init();
  htri_t r = H5Fis_hdf5(path.c_str());
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

}  // namespace h5dig::h5

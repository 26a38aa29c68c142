// Positioned reads of an HDF5 file's bytes, for the on-disk format parsers.
//
// format/ never calls HDF5: it reads structures with pread (or from a memory
// image, which is what the fuzz targets feed it). Every read is bounds-checked
// against the file size, so an address past the end of the file is an
// Error(corrupt) naming the structure and the address, never a short read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "h5dig/util/fd.hpp"

namespace h5dig::format {

class FileReader {
 public:
  // Opens `path` read-only. Throws Error(io) naming the file if it cannot.
  explicit FileReader(const std::filesystem::path& path);
  // Reads through a descriptor its caller opened and keeps open (not owned;
  // must outlive the reader), of a file of `size` bytes: a command that preads
  // chunks itself lets the index reader share its descriptor rather than open
  // the file again.
  FileReader(int borrowed_fd, std::uint64_t size, std::string name);
  // Reads from a memory image (not owned; must outlive the reader).
  FileReader(std::span<const std::byte> image, std::string name);
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  std::uint64_t size() const noexcept { return size_; }
  const std::string& name() const noexcept { return name_; }

  // Fills `out` from absolute file offset `offset`. Throws Error(corrupt)
  // "<what> at address A: extends past the end of the file (N bytes)" when the
  // range is not inside the file, Error(io) if the OS read fails.
  // Thread-safe (pread has no shared file position).
  void read(std::uint64_t offset, std::span<std::byte> out, std::string_view what) const;

 private:
  util::Fd fd_;         // owned (opened by path)
  int borrowed_fd_ = -1;  // or borrowed; neither: reads from image_
  std::span<const std::byte> image_;
  std::uint64_t size_ = 0;
  std::string name_;
};

}  // namespace h5dig::format

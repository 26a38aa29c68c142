#include "h5dig/format/file_reader.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "h5dig/error.hpp"

namespace h5dig::format {

FileReader::FileReader(const std::filesystem::path& path)
    : fd_(util::open_read_only(path)), size_(util::file_size(fd_.get(), path.string())), name_(path.string()) {}

FileReader::FileReader(int borrowed_fd, std::uint64_t size, std::string name)
    : borrowed_fd_(borrowed_fd), size_(size), name_(std::move(name)) {}

FileReader::FileReader(std::span<const std::byte> image, std::string name)
    : image_(image), size_(image.size()), name_(std::move(name)) {}

void FileReader::read(std::uint64_t offset, std::span<std::byte> out, std::string_view what) const {
  if (offset > size_ || out.size() > size_ - offset) {
    throw_corrupt(fmt::format("{}: {} at address {}: extends past the end of the file ({} bytes)", name_, what,
                              offset, size_));
  }
  if (out.empty()) return;
  const int fd = fd_.valid() ? fd_.get() : borrowed_fd_;
  if (fd < 0) {
    std::memcpy(out.data(), image_.data() + offset, out.size());
    return;
  }
  const util::ReadResult r = util::pread_exact(fd, out, offset);
  if (r.error != 0)
    throw_io(fmt::format("{}: reading {} at address {}: {}", name_, what, offset, std::strerror(r.error)));
  if (r.bytes < out.size()) {
    // The file shrank under us: same as an address past its end.
    throw_corrupt(fmt::format("{}: {} at address {}: extends past the end of the file", name_, what, offset));
  }
}

}  // namespace h5dig::format

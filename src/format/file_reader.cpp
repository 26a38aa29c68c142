#include "h5dig/format/file_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "h5dig/error.hpp"

namespace h5dig::format {

FileReader::FileReader(const std::filesystem::path& path) : name_(path.string()) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw_io(fmt::format("{}: cannot open: {}", name_, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw_io(fmt::format("{}: cannot stat: {}", name_, std::strerror(err)));
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

FileReader::FileReader(std::span<const std::byte> image, std::string name)
    : image_(image), size_(image.size()), name_(std::move(name)) {}

FileReader::~FileReader() {
  if (fd_ >= 0) ::close(fd_);
}

void FileReader::read(std::uint64_t offset, std::span<std::byte> out, std::string_view what) const {
  if (offset > size_ || out.size() > size_ - offset) {
    throw_corrupt(fmt::format("{}: {} at address {}: extends past the end of the file ({} bytes)", name_, what,
                              offset, size_));
  }
  if (out.empty()) return;
  if (fd_ < 0) {
    std::memcpy(out.data(), image_.data() + offset, out.size());
    return;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io(fmt::format("{}: reading {} at address {}: {}", name_, what, offset, std::strerror(errno)));
    }
    if (n == 0) {
      // The file shrank under us: same as an address past its end.
      throw_corrupt(fmt::format("{}: {} at address {}: extends past the end of the file", name_, what, offset));
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace h5dig::format

// Private: a bounds-checked little-endian cursor over one structure's bytes.
// Running off the end is Error(corrupt) naming the structure and its address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "h5dig/error.hpp"
#include "h5dig/format/checksum.hpp"
#include "h5dig/format/file_reader.hpp"

namespace h5dig::format::detail {

inline constexpr std::uint64_t kUndefinedAddress = ~std::uint64_t{0};

class Cursor {
 public:
  Cursor(std::span<const std::byte> bytes, std::string_view what, std::uint64_t address, const FileReader& file)
      : bytes_(bytes), what_(what), address_(address), file_(&file) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  void seek(std::size_t pos) {
    if (pos > bytes_.size()) fail("field past the end of the structure");
    pos_ = pos;
  }
  void skip(std::size_t n) {
    need(n);
    pos_ += n;
  }
  std::span<const std::byte> take(std::size_t n) {
    need(n);
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(uint(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
  std::uint64_t u64() { return uint(8); }
  // Little-endian unsigned of `n` bytes (0..8).
  std::uint64_t uint(std::size_t n) {
    if (n > 8) fail(fmt::format("field width {} bytes", n));
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(bytes_[pos_ + i])} << (8 * i);
    pos_ += n;
    return v;
  }
  // An address of `n` bytes; all-ones is HDF5's "undefined" (returned as kUndefinedAddress).
  std::uint64_t addr(std::size_t n) {
    std::uint64_t v = uint(n);
    if (n < 8 && v == (std::uint64_t{1} << (8 * n)) - 1) return kUndefinedAddress;
    return v;
  }
  void expect_signature(std::string_view sig) {
    auto s = take(sig.size());
    if (std::string_view(reinterpret_cast<const char*>(s.data()), s.size()) != sig)
      fail(fmt::format("bad signature (expected \"{}\")", sig));
  }
  // Verifies the lookup3 checksum stored at the cursor over bytes [0, pos), and
  // steps over it.
  void verify_checksum() {
    std::uint32_t computed = lookup3(bytes_.first(pos_));
    std::uint32_t stored = u32();
    if (stored != computed) fail(fmt::format("checksum mismatch (stored {:#010x}, computed {:#010x})", stored, computed));
  }

  [[noreturn]] void fail(std::string_view why) const {
    throw_corrupt(fmt::format("{}: corrupt {} at address {}: {}", file_->name(), what_, address_, why));
  }

 private:
  void need(std::size_t n) const {
    if (n > bytes_.size() - pos_) fail("truncated (field past the end of the structure)");
  }
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  std::string_view what_;
  std::uint64_t address_;
  const FileReader* file_;
};

// Reads `n` bytes at absolute `address` into `buf` (resized), naming `what` on error.
inline std::span<const std::byte> read_block(const FileReader& file, std::uint64_t address, std::size_t n,
                                             std::string_view what, std::vector<std::byte>& buf) {
  buf.resize(n);
  file.read(address, buf, what);
  return buf;
}

[[noreturn]] inline void fail_at(const FileReader& file, std::string_view what, std::uint64_t address,
                                 std::string_view why) {
  throw_corrupt(fmt::format("{}: corrupt {} at address {}: {}", file.name(), what, address, why));
}

}  // namespace h5dig::format::detail

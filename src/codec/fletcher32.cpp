// fletcher32 (HDF5 filter 3): HDF5's Fletcher checksum of the data, appended as
// 4 little-endian bytes; verified and stripped on decode.
#include <fmt/format.h>

#include <cstring>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

std::uint32_t fletcher32(const std::byte* data, std::size_t nbytes) {
  // H5_checksum_fletcher32: big-endian 16-bit words, sums folded every 360
  // words so the 32-bit accumulators cannot overflow; an odd last byte is the
  // high half of a final word.
  const auto* p = reinterpret_cast<const std::uint8_t*>(data);
  std::size_t words = nbytes / 2;
  std::uint32_t sum1 = 0, sum2 = 0;
  while (words) {
    std::size_t t = words > 360 ? 360 : words;
    words -= t;
    do {
      sum1 += (std::uint32_t(p[0]) << 8) | p[1];
      p += 2;
      sum2 += sum1;
    } while (--t);
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (nbytes % 2) {
    sum1 += std::uint32_t(*p) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

namespace {

class Fletcher32 final : public Codec {
 public:
  Kind kind() const noexcept override { return Kind::checksum; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    if (in.size() < 4) fail("fletcher32", fmt::format("chunk of {} bytes has no checksum", in.size()));
    const std::size_t n = in.size() - 4;
    if (n > out.size() || (exact && n != out.size()))
      fail("fletcher32", fmt::format("chunk holds {} bytes, expected {}", n, out.size()));
    const std::uint32_t stored = load_le32(in.data() + n);
    const std::uint32_t sum = fletcher32(in.data(), n);
    // HDF5 1.6.0-1.6.2 wrote the checksum with the bytes of each 16-bit half
    // swapped; H5Z_filter_fletcher32 accepts both, and so do we.
    const std::uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum & 0xff00ff00u) >> 8);
    if (stored != sum && stored != swapped)
      fail("fletcher32", fmt::format("checksum mismatch (stored {:08x}, computed {:08x})", stored, sum));
    if (n) std::memcpy(out.data(), in.data(), n);
    return n;
  }

  std::size_t encode_bound(std::size_t n) const override { return n + 4; }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    const std::size_t n = in.size();
    if (n) std::memcpy(out.data(), in.data(), n);
    store_le32(out.data() + n, fletcher32(in.data(), n));
    return n + 4;
  }
};

}  // namespace

std::unique_ptr<Codec> make_fletcher32(const FilterSpec&, std::size_t) { return std::make_unique<Fletcher32>(); }

}  // namespace h5dig::codec::detail

#include "h5dig/format/checksum.hpp"

namespace h5dig::format {

namespace {

constexpr std::uint32_t rot(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

inline void mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  a -= c; a ^= rot(c, 4);  c += b;
  b -= a; b ^= rot(a, 6);  a += c;
  c -= b; c ^= rot(b, 8);  b += a;
  a -= c; a ^= rot(c, 16); c += b;
  b -= a; b ^= rot(a, 19); a += c;
  c -= b; c ^= rot(b, 4);  b += a;
}

inline void final_mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  c ^= b; c -= rot(b, 14);
  a ^= c; a -= rot(c, 11);
  b ^= a; b -= rot(a, 25);
  c ^= b; c -= rot(b, 16);
  a ^= c; a -= rot(c, 4);
  b ^= a; b -= rot(a, 14);
  c ^= b; c -= rot(b, 24);
}

inline std::uint32_t word(const std::uint8_t* k) {
  return std::uint32_t{k[0]} | (std::uint32_t{k[1]} << 8) | (std::uint32_t{k[2]} << 16) | (std::uint32_t{k[3]} << 24);
}

}  // namespace

std::uint32_t lookup3(std::span<const std::byte> data, std::uint32_t initval) noexcept {
  const auto* k = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t length = data.size();
  std::uint32_t a, b, c;
  a = b = c = 0xdeadbeefU + static_cast<std::uint32_t>(length) + initval;
  // Byte-wise reading (the portable variant): HDF5 checksums are defined on the
  // little-endian interpretation whatever the host.
  while (length > 12) {
    a += word(k);
    b += word(k + 4);
    c += word(k + 8);
    mix(a, b, c);
    length -= 12;
    k += 12;
  }
  switch (length) {
    case 12: c += std::uint32_t{k[11]} << 24; [[fallthrough]];
    case 11: c += std::uint32_t{k[10]} << 16; [[fallthrough]];
    case 10: c += std::uint32_t{k[9]} << 8; [[fallthrough]];
    case 9: c += k[8]; [[fallthrough]];
    case 8: b += std::uint32_t{k[7]} << 24; [[fallthrough]];
    case 7: b += std::uint32_t{k[6]} << 16; [[fallthrough]];
    case 6: b += std::uint32_t{k[5]} << 8; [[fallthrough]];
    case 5: b += k[4]; [[fallthrough]];
    case 4: a += std::uint32_t{k[3]} << 24; [[fallthrough]];
    case 3: a += std::uint32_t{k[2]} << 16; [[fallthrough]];
    case 2: a += std::uint32_t{k[1]} << 8; [[fallthrough]];
    case 1: a += k[0]; break;
    case 0: return c;
  }
  final_mix(a, b, c);
  return c;
}

}  // namespace h5dig::format

// Bitshuffle's 8x8 bit-matrix transposes between byte planes and bit rows.
#include <cstring>

#include "codec/simd.hpp"

namespace h5dig::codec::detail::simd {

namespace {

// Transposes the 8x8 bit matrix whose row m is byte m of x: bit k of byte m
// becomes bit m of byte k. Its own inverse.
inline std::uint64_t transpose8x8(std::uint64_t x) {
  std::uint64_t t;
  t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
  x = x ^ t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
  x = x ^ t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
  x = x ^ t ^ (t << 28);
  return x;
}

inline std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian host: byte m of v is p[m]
}

}  // namespace

void bit_rows_from_planes(const std::uint8_t* planes, std::uint8_t* rows, std::size_t n, std::size_t es) {
  const std::size_t nb = n / 8;
  for (std::size_t j = 0; j < es; ++j) {
    const std::uint8_t* p = planes + j * n;
    std::uint8_t* r = rows + j * n;
    for (std::size_t b = 0; b < nb; ++b) {
      std::uint64_t x = transpose8x8(load64(p + 8 * b));
      for (std::size_t k = 0; k < 8; ++k) r[k * nb + b] = static_cast<std::uint8_t>(x >> (8 * k));
    }
  }
}

void planes_from_bit_rows(const std::uint8_t* rows, std::uint8_t* planes, std::size_t n, std::size_t es) {
  const std::size_t nb = n / 8;
  for (std::size_t j = 0; j < es; ++j) {
    const std::uint8_t* r = rows + j * n;
    std::uint8_t* p = planes + j * n;
    for (std::size_t b = 0; b < nb; ++b) {
      std::uint64_t y = 0;
      for (std::size_t k = 0; k < 8; ++k) y |= std::uint64_t(r[k * nb + b]) << (8 * k);
      y = transpose8x8(y);
      std::memcpy(p + 8 * b, &y, 8);
    }
  }
}

}  // namespace h5dig::codec::detail::simd

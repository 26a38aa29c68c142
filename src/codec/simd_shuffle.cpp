// Byte-shuffle kernels: dispatch between vector and scalar implementations.
#include "codec/simd.hpp"

namespace h5dig::codec::detail::simd {

std::size_t shuffle(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
  return shuffle_scalar(in, out, n, es);
}

std::size_t unshuffle(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
  return unshuffle_scalar(in, out, n, es);
}

const char* shuffle_isa() { return "scalar"; }

}  // namespace h5dig::codec::detail::simd

// Byte-shuffle and bitshuffle kernels: SSE2 (x86-64 baseline) and AVX2,
// chosen at run time with __builtin_cpu_supports; scalar code for the tails,
// other element sizes and other architectures.
#include <atomic>
#include <cstring>

#include "codec/simd.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#define H5DIG_X86 1
#endif

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

void rows_from_planes_scalar(const std::uint8_t* planes, std::uint8_t* rows, std::size_t n, std::size_t es,
                             std::size_t from_byte) {
  const std::size_t nb = n / 8;
  for (std::size_t j = 0; j < es; ++j) {
    const std::uint8_t* p = planes + j * n;
    std::uint8_t* r = rows + j * n;
    for (std::size_t b = from_byte / 8; b < nb; ++b) {
      std::uint64_t x;
      std::memcpy(&x, p + 8 * b, 8);  // little-endian: byte m of x is element 8b+m
      x = transpose8x8(x);
      for (std::size_t k = 0; k < 8; ++k) r[k * nb + b] = static_cast<std::uint8_t>(x >> (8 * k));
    }
  }
}

void planes_from_rows_scalar(const std::uint8_t* rows, std::uint8_t* planes, std::size_t n, std::size_t es,
                             std::size_t from_row_byte) {
  const std::size_t nb = n / 8;
  for (std::size_t j = 0; j < es; ++j) {
    const std::uint8_t* r = rows + j * n;
    std::uint8_t* p = planes + j * n;
    for (std::size_t b = from_row_byte; b < nb; ++b) {
      std::uint64_t y = 0;
      for (std::size_t k = 0; k < 8; ++k) y |= std::uint64_t(r[k * nb + b]) << (8 * k);
      y = transpose8x8(y);
      std::memcpy(p + 8 * b, &y, 8);
    }
  }
}

#if H5DIG_X86

namespace sse2 {

struct Ops {
  using V = __m128i;
  static constexpr std::size_t kWidth = 16;
  static V load(const std::uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static void store(std::uint8_t* p, V v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
  static V load_elems(const std::uint8_t* s, std::size_t, std::size_t k) { return load(s + 16 * k); }
  static void store_elems(std::uint8_t* d, std::size_t, std::size_t k, V v) { store(d + 16 * k, v); }
  static V lo8(V a, V b) { return _mm_unpacklo_epi8(a, b); }
  static V hi8(V a, V b) { return _mm_unpackhi_epi8(a, b); }
  static V lo16(V a, V b) { return _mm_unpacklo_epi16(a, b); }
  static V hi16(V a, V b) { return _mm_unpackhi_epi16(a, b); }
  static V lo32(V a, V b) { return _mm_unpacklo_epi32(a, b); }
  static V hi32(V a, V b) { return _mm_unpackhi_epi32(a, b); }
  static void deint8(V a, V b, V& even, V& odd) {
    const V m = _mm_set1_epi16(0x00ff);
    even = _mm_packus_epi16(_mm_and_si128(a, m), _mm_and_si128(b, m));
    odd = _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8));
  }
  static V even_odd16(V a) {  // words 0 2 4 6 1 3 5 7
    a = _mm_shufflelo_epi16(a, _MM_SHUFFLE(3, 1, 2, 0));
    a = _mm_shufflehi_epi16(a, _MM_SHUFFLE(3, 1, 2, 0));
    return _mm_shuffle_epi32(a, _MM_SHUFFLE(3, 1, 2, 0));
  }
  static void deint16(V a, V b, V& even, V& odd) {
    a = even_odd16(a);
    b = even_odd16(b);
    even = _mm_unpacklo_epi64(a, b);
    odd = _mm_unpackhi_epi64(a, b);
  }
  static void deint32(V a, V b, V& even, V& odd) {
    a = _mm_shuffle_epi32(a, _MM_SHUFFLE(3, 1, 2, 0));
    b = _mm_shuffle_epi32(b, _MM_SHUFFLE(3, 1, 2, 0));
    even = _mm_unpacklo_epi64(a, b);
    odd = _mm_unpackhi_epi64(a, b);
  }
  static V add8(V a, V b) { return _mm_add_epi8(a, b); }
  static void store_mask(std::uint8_t* p, V v) {
    const std::uint16_t m = static_cast<std::uint16_t>(_mm_movemask_epi8(v));
    std::memcpy(p, &m, 2);
  }
  static V bit_transpose8x8(V x) {
    V t;
    t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 7)), _mm_set1_epi64x(0x00AA00AA00AA00AALL));
    x = _mm_xor_si128(_mm_xor_si128(x, t), _mm_slli_epi64(t, 7));
    t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 14)), _mm_set1_epi64x(0x0000CCCC0000CCCCLL));
    x = _mm_xor_si128(_mm_xor_si128(x, t), _mm_slli_epi64(t, 14));
    t = _mm_and_si128(_mm_xor_si128(x, _mm_srli_epi64(x, 28)), _mm_set1_epi64x(0x00000000F0F0F0F0LL));
    x = _mm_xor_si128(_mm_xor_si128(x, t), _mm_slli_epi64(t, 28));
    return x;
  }
};

#define H5DIG_KERNEL_ATTR
#include "codec/simd_kernels.inc"
#undef H5DIG_KERNEL_ATTR

}  // namespace sse2

// Every function of this namespace is compiled for AVX2 (target attribute, so
// the rest of the file stays baseline x86-64); they run only when the CPU has
// it. They have internal linkage, so no AVX2 code can be merged into a function
// that runs elsewhere.
#define H5DIG_KERNEL_ATTR __attribute__((target("avx2")))

namespace avx2 {

struct Ops {
  using V = __m256i;
  static constexpr std::size_t kWidth = 32;
  H5DIG_KERNEL_ATTR static V load(const std::uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  H5DIG_KERNEL_ATTR static void store(std::uint8_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  // Lane L holds the k-th 16 bytes of the L-th group of 16 elements.
  H5DIG_KERNEL_ATTR static V load_elems(const std::uint8_t* s, std::size_t es, std::size_t k) {
    __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * k));
    __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * es + 16 * k));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
  }
  H5DIG_KERNEL_ATTR static void store_elems(std::uint8_t* d, std::size_t es, std::size_t k, V v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 16 * k), _mm256_castsi256_si128(v));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 16 * es + 16 * k), _mm256_extracti128_si256(v, 1));
  }
  H5DIG_KERNEL_ATTR static V lo8(V a, V b) { return _mm256_unpacklo_epi8(a, b); }
  H5DIG_KERNEL_ATTR static V hi8(V a, V b) { return _mm256_unpackhi_epi8(a, b); }
  H5DIG_KERNEL_ATTR static V lo16(V a, V b) { return _mm256_unpacklo_epi16(a, b); }
  H5DIG_KERNEL_ATTR static V hi16(V a, V b) { return _mm256_unpackhi_epi16(a, b); }
  H5DIG_KERNEL_ATTR static V lo32(V a, V b) { return _mm256_unpacklo_epi32(a, b); }
  H5DIG_KERNEL_ATTR static V hi32(V a, V b) { return _mm256_unpackhi_epi32(a, b); }
  H5DIG_KERNEL_ATTR static void deint8(V a, V b, V& even, V& odd) {
    const V m = _mm256_set1_epi16(0x00ff);
    even = _mm256_packus_epi16(_mm256_and_si256(a, m), _mm256_and_si256(b, m));
    odd = _mm256_packus_epi16(_mm256_srli_epi16(a, 8), _mm256_srli_epi16(b, 8));
  }
  H5DIG_KERNEL_ATTR static V even_odd16(V a) {
    a = _mm256_shufflelo_epi16(a, _MM_SHUFFLE(3, 1, 2, 0));
    a = _mm256_shufflehi_epi16(a, _MM_SHUFFLE(3, 1, 2, 0));
    return _mm256_shuffle_epi32(a, _MM_SHUFFLE(3, 1, 2, 0));
  }
  H5DIG_KERNEL_ATTR static void deint16(V a, V b, V& even, V& odd) {
    a = even_odd16(a);
    b = even_odd16(b);
    even = _mm256_unpacklo_epi64(a, b);
    odd = _mm256_unpackhi_epi64(a, b);
  }
  H5DIG_KERNEL_ATTR static void deint32(V a, V b, V& even, V& odd) {
    a = _mm256_shuffle_epi32(a, _MM_SHUFFLE(3, 1, 2, 0));
    b = _mm256_shuffle_epi32(b, _MM_SHUFFLE(3, 1, 2, 0));
    even = _mm256_unpacklo_epi64(a, b);
    odd = _mm256_unpackhi_epi64(a, b);
  }
  H5DIG_KERNEL_ATTR static V add8(V a, V b) { return _mm256_add_epi8(a, b); }
  H5DIG_KERNEL_ATTR static void store_mask(std::uint8_t* p, V v) {
    const std::uint32_t m = static_cast<std::uint32_t>(_mm256_movemask_epi8(v));
    __builtin_memcpy(p, &m, 4);
  }
  H5DIG_KERNEL_ATTR static V bit_transpose8x8(V x) {
    V t;
    t = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, 7)), _mm256_set1_epi64x(0x00AA00AA00AA00AALL));
    x = _mm256_xor_si256(_mm256_xor_si256(x, t), _mm256_slli_epi64(t, 7));
    t = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, 14)), _mm256_set1_epi64x(0x0000CCCC0000CCCCLL));
    x = _mm256_xor_si256(_mm256_xor_si256(x, t), _mm256_slli_epi64(t, 14));
    t = _mm256_and_si256(_mm256_xor_si256(x, _mm256_srli_epi64(x, 28)), _mm256_set1_epi64x(0x00000000F0F0F0F0LL));
    x = _mm256_xor_si256(_mm256_xor_si256(x, t), _mm256_slli_epi64(t, 28));
    return x;
  }
};

#include "codec/simd_kernels.inc"

}  // namespace avx2

#undef H5DIG_KERNEL_ATTR

#endif  // H5DIG_X86

std::atomic<int> g_forced{-1};  // tests: -1 automatic, else an Isa

Isa detected() {
#if H5DIG_X86
  static const Isa isa = __builtin_cpu_supports("avx2") ? Isa::avx2 : Isa::sse2;
  return isa;
#else
  return Isa::scalar;
#endif
}

}  // namespace

Isa current_isa() {
  int f = g_forced.load(std::memory_order_relaxed);
  Isa d = detected();
  if (f < 0 || f > static_cast<int>(d)) return d;
  return static_cast<Isa>(f);
}

void force_isa_for_testing(int isa) { g_forced.store(isa, std::memory_order_relaxed); }

std::size_t shuffle(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
#if H5DIG_X86
  if (es == 2 || es == 4 || es == 8) {
    switch (current_isa()) {
      case Isa::avx2: return avx2::shuffle_kernel<avx2::Ops>(in, out, n, es);
      case Isa::sse2: return sse2::shuffle_kernel<sse2::Ops>(in, out, n, es);
      default: break;
    }
  }
#endif
  return shuffle_scalar(in, out, n, es);
}

std::size_t unshuffle(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
#if H5DIG_X86
  if (es == 2 || es == 4 || es == 8) {
    switch (current_isa()) {
      case Isa::avx2: return avx2::unshuffle_kernel<avx2::Ops>(in, out, n, es);
      case Isa::sse2: return sse2::unshuffle_kernel<sse2::Ops>(in, out, n, es);
      default: break;
    }
  }
#endif
  return unshuffle_scalar(in, out, n, es);
}

void bit_rows_from_planes(const std::uint8_t* planes, std::uint8_t* rows, std::size_t n, std::size_t es) {
  std::size_t done = 0;
#if H5DIG_X86
  switch (current_isa()) {
    case Isa::avx2: done = avx2::rows_from_planes_kernel<avx2::Ops>(planes, rows, n, es); break;
    case Isa::sse2: done = sse2::rows_from_planes_kernel<sse2::Ops>(planes, rows, n, es); break;
    default: break;
  }
#endif
  rows_from_planes_scalar(planes, rows, n, es, done);
}

void planes_from_bit_rows(const std::uint8_t* rows, std::uint8_t* planes, std::size_t n, std::size_t es) {
  std::size_t done = 0;
#if H5DIG_X86
  switch (current_isa()) {
    case Isa::avx2: done = avx2::planes_from_rows_kernel<avx2::Ops>(rows, planes, n, es); break;
    case Isa::sse2: done = sse2::planes_from_rows_kernel<sse2::Ops>(rows, planes, n, es); break;
    default: break;
  }
#endif
  planes_from_rows_scalar(rows, planes, n, es, done);
}

const char* shuffle_isa() {
  switch (current_isa()) {
    case Isa::avx2: return "avx2";
    case Isa::sse2: return "sse2";
    default: return "scalar";
  }
}

}  // namespace h5dig::codec::detail::simd

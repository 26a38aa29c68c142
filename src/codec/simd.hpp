// Vector kernels with run-time dispatch (SSE2 is the x86-64 baseline; AVX2 is
// used when the CPU has it). Each returns how many elements it handled from
// the start; the caller finishes the rest with scalar code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace h5dig::codec::detail::simd {

std::size_t shuffle(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es);
std::size_t unshuffle(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es);
std::size_t shuffle_scalar(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es);
std::size_t unshuffle_scalar(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es);

// Bitshuffle's bit transpose between byte planes (planes[j * n + i] = byte j of
// element i) and bit rows (rows[j * n + k * n / 8 + b] bit m = bit k of byte j of
// element 8b + m), for n elements (n % 8 == 0) of es bytes.
void bit_rows_from_planes(const std::uint8_t* planes, std::uint8_t* rows, std::size_t n, std::size_t es);
void planes_from_bit_rows(const std::uint8_t* rows, std::uint8_t* planes, std::size_t n, std::size_t es);

enum class Isa { scalar = 0, sse2 = 1, avx2 = 2 };
// The kernel family in use: the best the CPU has, unless a test forced a lower one.
Isa current_isa();
// Tests only: -1 restores automatic choice; a family the CPU lacks is ignored.
void force_isa_for_testing(int isa);

// Name of the kernel family in use ("avx2", "sse2", "scalar"), for benchmarks.
const char* shuffle_isa();

}  // namespace h5dig::codec::detail::simd

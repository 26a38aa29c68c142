// Micro-benchmarks of the codec kernels per instruction set (scalar, SSE2,
// AVX2): byte shuffle, the bitshuffle transpose, and whole pipelines. The
// side-by-side comparison with zlib and HDF5 is `h5dig bench codecs`.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

// Internal kernels: bench/ has no private include path, so reach src/ directly.
#include "../src/codec/codec.hpp"
#include "../src/codec/simd.hpp"
#include "h5dig/codec/pipeline.hpp"

namespace {

using namespace h5dig::codec;

std::vector<std::byte> poisson_u16(std::size_t n) {
  std::mt19937 rng(1);
  std::poisson_distribution<unsigned> d(0.5);
  std::vector<std::byte> v(2 * n);
  for (std::size_t i = 0; i < n; ++i) v[2 * i] = std::byte(d(rng));
  return v;
}

constexpr std::size_t kBytes = 1 << 21;  // one 1024x1024 uint16 frame

void BM_Unshuffle(benchmark::State& state) {
  detail::simd::force_isa_for_testing(static_cast<int>(state.range(0)));
  const std::size_t es = static_cast<std::size_t>(state.range(1));
  std::vector<std::byte> in = poisson_u16(kBytes / 2), out(kBytes);
  for (auto _ : state) {
    detail::unshuffle_bytes(in.data(), out.data(), kBytes, es);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBytes));
  state.SetLabel(detail::simd::shuffle_isa());
  detail::simd::force_isa_for_testing(-1);
}
BENCHMARK(BM_Unshuffle)->ArgsProduct({{0, 1, 2}, {2, 4, 8}});

void BM_BitUntranspose(benchmark::State& state) {
  detail::simd::force_isa_for_testing(static_cast<int>(state.range(0)));
  const std::size_t es = 2, n = 4096;  // the plugin's default block for uint16
  std::vector<std::byte> in = poisson_u16(n), out(n * es), tmp(n * es);
  for (auto _ : state) {
    detail::bit_untranspose(in.data(), out.data(), n, es, tmp.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * es));
  state.SetLabel(detail::simd::shuffle_isa());
  detail::simd::force_isa_for_testing(-1);
}
BENCHMARK(BM_BitUntranspose)->Arg(0)->Arg(1)->Arg(2);

void BM_PipelineDecode(benchmark::State& state) {
  FilterSpec s1{kShuffleId, kFlagOptional, {2}, "shuffle"}, s2{kDeflateId, kFlagOptional, {4}, "deflate"};
  FilterSpec bs{kBitshuffleId, kFlagOptional, {0, 3, 2, 0, 2}, "bitshuffle"};
  Pipeline p = state.range(0) == 0 ? Pipeline({s1, s2}, 2) : Pipeline({bs}, 2);
  Workspace ws;
  std::vector<std::byte> raw = poisson_u16(kBytes / 2), out(kBytes);
  auto enc = p.encode(raw, ws);
  std::vector<std::byte> stored(enc.bytes.begin(), enc.bytes.end());
  for (auto _ : state) {
    p.decode(stored, out, enc.filter_mask, ws);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBytes));
  state.SetLabel(state.range(0) == 0 ? "shuffle,gzip=4" : "bslz4");
}
BENCHMARK(BM_PipelineDecode)->Arg(0)->Arg(1);

}  // namespace

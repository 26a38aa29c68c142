// szip (filter 4): h5dig's layer on libaec against libsz's SZ_BufftoBuffCompress
// (the function inside Debian's HDF5 szip filter) byte for byte, over options,
// block sizes, pixel widths, scanline paddings and chunk sizes. (Against HDF5's
// own filter through h5py: writers_filters_test.cpp.)
#include <fmt/format.h>
#include <gtest/gtest.h>

extern "C" {  // szlib.h has no C++ guard
#include <szlib.h>
}

#include <cstring>
#include <random>

#include "codec/codec.hpp"
#include "codec/codec_test_support.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"

namespace h5dig::codec {
namespace {

using testing::Bytes;
using testing::spec;
using testing::view;

constexpr unsigned kK13 = 1, kEc = 4, kLsb = 8, kMsb = 16, kNn = 32, kRaw = 128;

struct SzipCase {
  unsigned mask, ppb, bpp, pps;
  std::size_t pixels;  // pixels in the chunk
  bool noise = false;  // random values over the whole range
};

std::string label(const SzipCase& c) {
  return fmt::format("{}_{}_ppb{}_bpp{}_pps{}_n{}{}", (c.mask & kNn) ? "nn" : "ec", (c.mask & kMsb) ? "msb" : "lsb",
                     c.ppb, c.bpp, c.pps, c.pixels, c.noise ? "_noise" : "");
}

std::size_t pixel_bytes(unsigned bpp) { return bpp > 32 ? 8 : bpp > 16 ? 4 : bpp > 8 ? 2 : 1; }

// Pixels of `bpp` significant bits in the byte order the mask says: slowly
// varying values (what szip compresses), or noise.
Bytes szip_pixels(const SzipCase& c, unsigned seed) {
  const std::size_t pb = pixel_bytes(c.bpp);
  std::mt19937_64 rng(seed);
  const std::uint64_t max = c.bpp >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << c.bpp) - 1;
  Bytes out(c.pixels * pb);
  std::uint64_t v = max / 3;
  for (std::size_t i = 0; i < c.pixels; ++i) {
    v = c.noise ? rng() : v + (rng() % 5) - 2;
    const std::uint64_t x = v & max;
    for (std::size_t b = 0; b < pb; ++b) {
      const std::size_t at = (c.mask & kMsb) ? pb - 1 - b : b;
      out[i * pb + at] = std::byte((x >> (8 * b)) & 0xff);
    }
  }
  return out;
}

// What H5Z_filter_szip stores: the size, little-endian, then libsz's stream.
Bytes libsz_chunk(const SzipCase& c, const Bytes& raw) {
  SZ_com_t p{static_cast<int>(c.mask), static_cast<int>(c.bpp), static_cast<int>(c.ppb), static_cast<int>(c.pps)};
  Bytes out(4 + raw.size() * 2 + 1024);
  std::size_t n = out.size() - 4;
  EXPECT_EQ(SZ_BufftoBuffCompress(out.data() + 4, &n, raw.data(), raw.size(), &p), SZ_OK) << label(c);
  detail::store_le32(out.data(), static_cast<std::uint32_t>(raw.size()));
  out.resize(4 + n);
  return out;
}

std::vector<SzipCase> szip_cases() {
  std::vector<SzipCase> cases;
  // Every pixel width HDF5 records (1-24 bits, 32, 64) in both byte orders and
  // both codings, on scanlines padded to whole blocks (100 = 12.5 blocks of 8).
  for (unsigned bpp : {1u, 5u, 8u, 12u, 16u, 20u, 24u, 32u, 64u})
    for (unsigned mask : {kNn | kLsb, kEc | kLsb, kNn | kMsb, kEc | kMsb})
      cases.push_back({mask | kK13 | kRaw, 8, bpp, 100, 1000});
  // Block sizes, scanlines with and without padding, partial last scanlines,
  // scanlines shorter than a block, tiny and large chunks.
  for (unsigned ppb : {2u, 4u, 8u, 10u, 16u, 32u})
    for (unsigned pps : {ppb, 3 * ppb, 100u, ppb * 128, 5u})
      for (std::size_t pixels : {std::size_t{1}, std::size_t{ppb}, std::size_t{777}, std::size_t{20000}})
        for (unsigned bpp : {16u, 32u})
          cases.push_back({kNn | kLsb | kK13 | kRaw, ppb, bpp, pps, pixels});
  for (unsigned bpp : {8u, 16u, 32u, 64u}) cases.push_back({kNn | kLsb | kK13 | kRaw, 32, bpp, 1024, 5000, true});
  return cases;
}

class SzipMatchesLibsz : public ::testing::TestWithParam<SzipCase> {};

TEST_P(SzipMatchesLibsz, BytesAndRoundTrip) {
  const SzipCase& c = GetParam();
  const Bytes raw = szip_pixels(c, static_cast<unsigned>(c.pixels + c.bpp));
  Pipeline p({spec(kSzipId, {c.mask, c.ppb, c.bpp, c.pps})}, pixel_bytes(c.bpp));  // mandatory: never skipped
  Workspace ws;
  auto enc = p.encode(view(raw), ws);
  ASSERT_EQ(enc.filter_mask, 0u);
  const Bytes ours(enc.bytes.begin(), enc.bytes.end());
  EXPECT_EQ(ours, libsz_chunk(c, raw));
  Bytes back(raw.size());
  p.decode(view(ours), back, 0, ws);
  EXPECT_EQ(back, raw);
}

INSTANTIATE_TEST_SUITE_P(Szip, SzipMatchesLibsz, ::testing::ValuesIn(szip_cases()),
                         [](const auto& info) { return label(info.param); });

TEST(CodecSzip, EmptyChunkRoundTrips) {
  Pipeline p({spec(kSzipId, {kNn | kLsb | kK13 | kRaw, 8, 16, 64})}, 2);
  Workspace ws;
  EXPECT_EQ(testing::round_trip(p, Bytes{}, ws), Bytes{});
}

// H5Z_filter_szip gives libsz an output buffer of the chunk's size: a stream
// that does not fit fails the (optional) filter and HDF5 stores the chunk raw.
TEST(CodecSzip, IncompressibleChunksAreStoredRawAsHdf5Does) {
  const SzipCase c{kNn | kLsb | kK13 | kRaw, 8, 16, 512, 4096, true};
  Pipeline p({spec(kSzipId, {c.mask, c.ppb, c.bpp, c.pps}, kFlagOptional)}, 2);
  Workspace ws;
  const Bytes noise = szip_pixels(c, 7);
  auto enc = p.encode(view(noise), ws);
  EXPECT_EQ(enc.filter_mask, 1u);
  EXPECT_EQ(Bytes(enc.bytes.begin(), enc.bytes.end()), noise);
}

TEST(CodecSzip, ParametersHdf5CannotRecordAreRefused) {
  auto refused = [](std::vector<unsigned> cd) {
    try {
      Pipeline p({spec(kSzipId, std::move(cd))}, 2);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unsupported);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused({kNn, 8}).rfind("szip: 2 parameters, expected 4", 0), 0u);
  EXPECT_EQ(refused({kNn, 7, 16, 100}), "szip: 7 pixels per block (even, 2-32)");
  EXPECT_EQ(refused({kNn, 64, 16, 100}), "szip: 64 pixels per block (even, 2-32)");
  EXPECT_EQ(refused({kNn, 8, 0, 100}), "szip: 0 bits per pixel (1-32 or 64)");
  EXPECT_EQ(refused({kNn, 8, 48, 100}), "szip: 48 bits per pixel (1-32 or 64)");
  EXPECT_EQ(refused({kNn, 8, 16, 0}).rfind("szip: 0 pixels per scanline", 0), 0u);
  EXPECT_EQ(refused({kNn, 2, 16, 0xffffffffu}).rfind("szip: 4294967295 pixels per scanline", 0), 0u);
}

}  // namespace
}  // namespace h5dig::codec

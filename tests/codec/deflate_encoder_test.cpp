// h5dig's own deflate encoder (HDF5 level 4): every stream it writes must be
// read back exactly by zlib's inflate, the decoder behind HDF5's deflate filter;
// the interop tests in pipeline_test.cpp read level-4 chunks through h5py.
#include "codec/deflate_encoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "codec/codec.hpp"
#include "codec_test_support.hpp"
#include "h5dig/codec/pipeline.hpp"

namespace h5dig::codec {
namespace {

using detail::DeflateEncoder;
using detail::kOwnEncoderParams;
using testing::Bytes;
using U8 = std::vector<std::uint8_t>;

U8 to_u8(const Bytes& b) {
  U8 v(b.size());
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}

U8 encode(DeflateEncoder& enc, const U8& in, detail::DeflateMatchParams params = kOwnEncoderParams) {
  U8 out(DeflateEncoder::zlib_bound(in.size()));
  out.resize(enc.compress_zlib(in.data(), in.size(), out.data(), params));
  return out;
}

// Inflates with zlib, insisting on one complete stream that uses all the input.
U8 zlib_inflate(const U8& stream, std::size_t expected_size) {
  U8 out(expected_size + 1);
  z_stream zs{};
  EXPECT_EQ(inflateInit(&zs), Z_OK);
  zs.next_in = const_cast<Bytef*>(stream.data());
  zs.avail_in = static_cast<uInt>(stream.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  EXPECT_EQ(rc, Z_STREAM_END) << (zs.msg ? zs.msg : "");
  EXPECT_EQ(zs.avail_in, 0u) << "trailing bytes after the stream";
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

// Block types of the stream's first block (BTYPE: 0 stored, 1 fixed, 2 dynamic).
unsigned first_block_type(const U8& stream) { return (stream.at(2) >> 1) & 3; }

void expect_round_trip(DeflateEncoder& enc, const U8& in, const std::string& what) {
  U8 stream = encode(enc, in);
  EXPECT_LE(stream.size() + 8, DeflateEncoder::zlib_bound(in.size())) << what;
  EXPECT_EQ(zlib_inflate(stream, in.size()), in) << what;
}

U8 random_u8(std::size_t n, unsigned seed) { return to_u8(testing::random_bytes(n, seed)); }

TEST(DeflateEncoder, TinyAndEmptyInputsRoundTrip) {
  DeflateEncoder enc;
  for (std::size_t n = 0; n <= 12; ++n) {
    expect_round_trip(enc, U8(n, 'a'), "run of " + std::to_string(n));
    expect_round_trip(enc, random_u8(n, unsigned(n)), "random " + std::to_string(n));
  }
}

TEST(DeflateEncoder, UsesStoredFixedAndDynamicBlocksWhereEachIsSmallest) {
  DeflateEncoder enc;
  // Incompressible: stored, in several 65535-byte pieces.
  U8 noise = random_u8(200000, 3);
  U8 s = encode(enc, noise);
  EXPECT_EQ(first_block_type(s), 0u);
  EXPECT_EQ(zlib_inflate(s, noise.size()), noise);
  // A few dozen bytes, literals above 143 (9-bit fixed codes) and one match: fixed.
  U8 small;
  for (int i = 0; i < 40; ++i) small.push_back(std::uint8_t(150 + (i * 7) % 100));
  small.insert(small.end(), small.begin(), small.begin() + 12);
  s = encode(enc, small);
  EXPECT_EQ(first_block_type(s), 1u);
  EXPECT_EQ(zlib_inflate(s, small.size()), small);
  // Text: dynamic.
  U8 text = to_u8(testing::text_bytes(100000));
  s = encode(enc, text);
  EXPECT_EQ(first_block_type(s), 2u);
  EXPECT_EQ(zlib_inflate(s, text.size()), text);
}

TEST(DeflateEncoder, LargeInputsOfEveryKindRoundTrip) {
  DeflateEncoder enc;
  // Detector frames, unshuffled (many blocks of 16K sequences), and element sizes 1-8.
  for (std::size_t es : {1, 2, 4, 8})
    expect_round_trip(enc, to_u8(testing::poisson_bytes(300000 / es, es, 0.5, unsigned(es))),
                      "poisson es " + std::to_string(es));
  // Long runs: 258-byte matches at distance 1.
  expect_round_trip(enc, U8(3 << 20, 0), "3 MiB of zeros");
  // Repeats exactly at and just beyond deflate's 32768-byte reach, past 65536
  // positions (the tables keep positions modulo 65536).
  for (std::size_t period : {32768u, 32769u, 65536u, 40000u}) {
    U8 base = random_u8(period, unsigned(period));
    U8 in;
    while (in.size() < 300000) in.insert(in.end(), base.begin(), base.end());
    expect_round_trip(enc, in, "period " + std::to_string(period));
  }
  // Text with bytes above 127.
  U8 text = to_u8(testing::text_bytes(500000));
  for (std::size_t i = 0; i < text.size(); i += 97) text[i] = std::uint8_t(0x80 | (i & 0x7F));
  expect_round_trip(enc, text, "text with high bytes");
  // Compressible and incompressible stretches mixed in one stream.
  U8 mixed = random_u8(70000, 9);
  U8 zeros(70000, 0);
  mixed.insert(mixed.end(), zeros.begin(), zeros.end());
  U8 more = random_u8(70000, 10);
  mixed.insert(mixed.end(), more.begin(), more.end());
  expect_round_trip(enc, mixed, "mixed");
}

TEST(DeflateEncoder, OutputDependsOnlyOnTheInput) {
  DeflateEncoder a, b;
  U8 x = to_u8(testing::poisson_bytes(100000, 2, 0.5, 4)), y = to_u8(testing::text_bytes(100000));
  U8 first = encode(a, x);
  encode(b, y);  // b's tables now hold another input's positions
  EXPECT_EQ(encode(b, x), first);
  EXPECT_EQ(encode(a, x), first);
}

TEST(DeflateEncoder, EveryChainAndNiceLengthRoundTrips) {
  DeflateEncoder enc;
  U8 in = to_u8(testing::poisson_bytes(50000, 2, 2.0, 5));
  for (unsigned chain : {0u, 1u, 2u, 6u, 64u})
    for (unsigned nice : {0u, 4u, 16u, 258u, 1000u}) {
      U8 s = encode(enc, in, {chain, nice});
      EXPECT_EQ(zlib_inflate(s, in.size()), in) << chain << " " << nice;
    }
}

TEST(DeflateEncoder, HuffmanLengthsAreCompleteAndLimited) {
  // Fibonacci frequencies give the deepest Huffman trees: 30 symbols would need
  // 29 bits unlimited.
  std::vector<std::uint32_t> freq(30);
  freq[0] = freq[1] = 1;
  for (std::size_t i = 2; i < freq.size(); ++i) freq[i] = freq[i - 1] + freq[i - 2];
  for (unsigned max_bits : {7u, 15u}) {
    std::vector<std::uint8_t> lens(freq.size());
    unsigned n = max_bits == 7 ? 19 : 30;
    detail::huffman_code_lengths(freq.data(), n, max_bits, lens.data());
    double kraft = 0;
    for (unsigned s = 0; s < n; ++s) {
      ASSERT_GE(lens[s], 1u);
      ASSERT_LE(lens[s], max_bits);
      kraft += std::ldexp(1.0, -int(lens[s]));
      if (s > 0) EXPECT_LE(lens[s], lens[s - 1]) << "a more frequent symbol got a longer code";
    }
    EXPECT_DOUBLE_EQ(kraft, 1.0);
  }
  // One symbol used, or none: two codes of one bit.
  std::vector<std::uint32_t> one(30, 0);
  std::vector<std::uint8_t> lens(30);
  one[7] = 5;
  detail::huffman_code_lengths(one.data(), 30, 15, lens.data());
  EXPECT_EQ(lens[7], 1u);
  EXPECT_EQ(std::count(lens.begin(), lens.end(), 1), 2);
  std::vector<std::uint32_t> none(30, 0);
  detail::huffman_code_lengths(none.data(), 30, 15, lens.data());
  EXPECT_EQ(std::count(lens.begin(), lens.end(), 1), 2);
}

// English text as Debian ships it on every system: the common licences.
Bytes license_text() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator("/usr/share/common-licenses"))
    if (e.is_regular_file() && !e.is_symlink()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  Bytes text;
  for (const auto& f : files) {
    std::string s = test::read_file(f);
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    text.insert(text.end(), p, p + s.size());
  }
  return text;
}

// HDF5 level 4 goes through this encoder; its output stays within 5% of zlib's
// level 4 (what HDF5's own filter writes) on detector frames, as they are and
// shuffled, and on English text (the speed is in `h5dig bench codecs`).
TEST(DeflateEncoder, IsHdf5Level4AndStaysWithinFivePercentOfZlib) {
  Pipeline p({testing::spec(kDeflateId, {4})}, 2);
  Workspace ws;
  DeflateEncoder enc;
  Bytes frames = testing::poisson_bytes(1 << 19, 2, 0.5, 6), shuffled(frames.size());
  detail::shuffle_bytes(frames.data(), shuffled.data(), frames.size(), 2);
  Bytes text = license_text();
  ASSERT_GT(text.size(), 100000u);
  for (const Bytes* raw : {&frames, &shuffled, &text}) {
    EncodedChunk e = p.encode(testing::view(*raw), ws);
    U8 direct = encode(enc, to_u8(*raw));
    ASSERT_EQ(e.bytes.size(), direct.size());
    EXPECT_TRUE(std::equal(direct.begin(), direct.end(), reinterpret_cast<const std::uint8_t*>(e.bytes.data())));
    uLongf zn = compressBound(uLong(raw->size()));
    U8 z(zn);
    ASSERT_EQ(compress2(z.data(), &zn, reinterpret_cast<const Bytef*>(raw->data()), uLong(raw->size()), 4), Z_OK);
    EXPECT_LE(double(direct.size()), 1.05 * double(zn)) << direct.size() << " vs zlib " << zn;
  }
}

}  // namespace
}  // namespace h5dig::codec

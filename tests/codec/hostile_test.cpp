// Decoders against hostile input: truncated streams, trailing bytes, size fields
// that lie, block sizes of 0 or beyond the buffer, wrong checksums. Each must be
// an Error(corrupt) naming the filter, and must never write past the output.
#include <gtest/gtest.h>

#include <cstring>

#include "codec/codec.hpp"
#include "codec/codec_test_support.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"

namespace h5dig::codec {
namespace {

using testing::Bytes;

using testing::spec;
using testing::view;

Bytes encode(const Pipeline& p, const Bytes& raw) {
  Workspace ws;
  auto enc = p.encode({raw.data(), raw.size()}, ws);
  return Bytes(enc.bytes.begin(), enc.bytes.end());
}

// Decodes `stored` into an output of `out_size` bytes followed by guard bytes;
// expects Error(corrupt) whose message starts with `prefix`, and untouched guards.
void expect_corrupt(const Pipeline& p, const Bytes& stored, std::size_t out_size, const std::string& prefix,
                    const std::string& label) {
  Workspace ws;
  Bytes buf(out_size + 64, std::byte{0xA5});
  try {
    p.decode({stored.data(), stored.size()}, std::span<std::byte>(buf.data(), out_size), 0, ws);
    ADD_FAILURE() << label << ": expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt) << label << ": " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << label << ": " << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << label;
  }
  for (std::size_t i = out_size; i < buf.size(); ++i) ASSERT_EQ(buf[i], std::byte{0xA5}) << label << ": overrun";
}

Bytes truncated(Bytes b, std::size_t drop) {
  b.resize(b.size() > drop ? b.size() - drop : 0);
  return b;
}
Bytes with_trailing(Bytes b) {
  b.push_back(std::byte{0});
  b.push_back(std::byte{7});
  return b;
}

const Bytes kRaw = testing::poisson_bytes(20000, 2, 2.0);

// The checks every headerless stream (LZF, bzip2, LZO) must pass: cut by one
// byte or many, two bytes too many, an output two bytes too small or too large.
void expect_stream_bounds_checked(const Pipeline& p, const Bytes& good, const std::string& name) {
  expect_corrupt(p, truncated(good, 1), kRaw.size(), name + ": ", "truncated by a byte");
  expect_corrupt(p, truncated(good, 50), kRaw.size(), name + ": ", "truncated");
  expect_corrupt(p, with_trailing(good), kRaw.size(), name + ": ", "trailing bytes");
  expect_corrupt(p, good, kRaw.size() - 2, name + ": stream decodes to more than", "output too small");
  expect_corrupt(p, good, kRaw.size() + 2, name + ": stream decodes to", "output too large");
}

TEST(CodecHostile, Deflate) {
  Pipeline p({spec(kDeflateId, {4})}, 2);
  Bytes good = encode(p, kRaw);
  expect_corrupt(p, truncated(good, 10), kRaw.size(), "deflate: ", "truncated");
  expect_corrupt(p, Bytes{}, kRaw.size(), "deflate: ", "empty");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "deflate: ", "trailing bytes");
  expect_corrupt(p, good, kRaw.size() - 2, "deflate: ", "inflates to more than the chunk");
  expect_corrupt(p, good, kRaw.size() + 2, "deflate: ", "inflates to less than the chunk");
  Bytes bad = good;
  bad[0] = std::byte{0x12};  // not a zlib header
  expect_corrupt(p, bad, kRaw.size(), "deflate: ", "bad header");
  bad = good;
  bad[bad.size() - 1] ^= std::byte{0xff};  // adler32 mismatch
  expect_corrupt(p, bad, kRaw.size(), "deflate: ", "bad adler32");
}

TEST(CodecHostile, Fletcher32) {
  Pipeline p({spec(kFletcher32Id)}, 2);
  Bytes good = encode(p, kRaw);
  Bytes bad = good;
  bad[100] ^= std::byte{1};
  expect_corrupt(p, bad, kRaw.size(), "fletcher32: checksum mismatch", "flipped data bit");
  bad = good;
  bad.back() ^= std::byte{0x80};
  expect_corrupt(p, bad, kRaw.size(), "fletcher32: checksum mismatch", "flipped checksum bit");
  expect_corrupt(p, Bytes(3), 0, "fletcher32: ", "shorter than the checksum");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "fletcher32: ", "trailing bytes");
}

TEST(CodecHostile, Shuffle) {
  Pipeline p({spec(kShuffleId, {2})}, 2);
  Bytes good = encode(p, kRaw);
  expect_corrupt(p, truncated(good, 2), kRaw.size(), "shuffle: ", "truncated");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "shuffle: ", "trailing");
}

TEST(CodecHostile, Lz4) {
  Pipeline p({spec(kLz4Id, {4096})}, 2);
  Bytes good = encode(p, kRaw);
  expect_corrupt(p, Bytes(11), kRaw.size(), "lz4: ", "header truncated");
  expect_corrupt(p, truncated(good, 1), kRaw.size(), "lz4: ", "last block truncated");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "lz4: ", "trailing bytes");
  Bytes bad = good;
  detail::store_be64(bad.data(), kRaw.size() * 4);  // total size lies (larger)
  expect_corrupt(p, bad, kRaw.size(), "lz4: header says", "total larger");
  detail::store_be64(bad.data(), kRaw.size() / 2);  // smaller
  expect_corrupt(p, bad, kRaw.size(), "lz4: header says", "total smaller");
  bad = good;
  detail::store_be32(bad.data() + 8, 0);
  expect_corrupt(p, bad, kRaw.size(), "lz4: block size 0", "block size 0");
  bad = good;
  detail::store_be32(bad.data() + 8, 1000);  // block size lies: blocks decode to the wrong size
  expect_corrupt(p, bad, kRaw.size(), "lz4: ", "block size lies");
  bad = good;
  detail::store_be32(bad.data() + 12, 0x7fffffff);  // first block beyond the buffer
  expect_corrupt(p, bad, kRaw.size(), "lz4: block 0 claims", "compressed size beyond buffer");
  bad = good;
  for (std::size_t i = 16; i < 40 && i < bad.size(); ++i) bad[i] = std::byte{0xff};  // garbage LZ4 sequence
  expect_corrupt(p, bad, kRaw.size(), "lz4: ", "garbage block");
}

TEST(CodecHostile, Bitshuffle) {
  for (unsigned comp : {2u, 3u}) {
    SCOPED_TRACE(comp);
    Pipeline p({spec(kBitshuffleId, {0, 4, 2, 0, comp, 1})}, 2);
    const std::string name = comp == 2 ? "bitshuffle/lz4: " : "bitshuffle/zstd: ";
    Bytes raw = testing::poisson_bytes(10003, 2, 2.0);  // 3 trailing elements
    Bytes good = encode(p, raw);
    expect_corrupt(p, Bytes(5), raw.size(), name, "header truncated");
    expect_corrupt(p, truncated(good, 1), raw.size(), name, "trailing elements truncated");
    expect_corrupt(p, truncated(good, 20), raw.size(), name, "block truncated");
    expect_corrupt(p, with_trailing(good), raw.size(), name, "trailing bytes");
    Bytes bad = good;
    detail::store_be64(bad.data(), raw.size() + 16);
    expect_corrupt(p, bad, raw.size(), name + "header says", "total larger");
    bad = good;
    detail::store_be32(bad.data() + 8, 0);
    expect_corrupt(p, bad, raw.size(), name + "block size 0", "block size 0");
    detail::store_be32(bad.data() + 8, 2 * 12);  // 12 elements: not a multiple of 8
    expect_corrupt(p, bad, raw.size(), name + "block size", "block not multiple of 8");
    detail::store_be32(bad.data() + 8, 2 * 64);  // lies: blocks decode short
    expect_corrupt(p, bad, raw.size(), name, "block size lies");
    detail::store_be32(bad.data() + 8, 0xfffffff0u);  // huge: capped by the chunk, then blocks mismatch
    expect_corrupt(p, bad, raw.size(), name, "huge block size");
    bad = good;
    detail::store_be32(bad.data() + 12, 0x7fffffff);
    expect_corrupt(p, bad, raw.size(), name + "block 0 claims", "compressed size beyond buffer");
  }
}

TEST(CodecHostile, Zstd) {
  Pipeline p({spec(kZstdId, {3})}, 2);
  Bytes good = encode(p, kRaw);
  expect_corrupt(p, truncated(good, 3), kRaw.size(), "zstd: ", "truncated");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "zstd: ", "trailing bytes");
  expect_corrupt(p, good, kRaw.size() - 1, "zstd: ", "content larger than the chunk");
  expect_corrupt(p, good, kRaw.size() + 1, "zstd: ", "content smaller than the chunk");
  expect_corrupt(p, Bytes(3), kRaw.size(), "zstd: ", "tiny");
  Bytes bad = good;
  for (std::size_t i = 8; i < 30; ++i) bad[i] = std::byte{0x5a};
  expect_corrupt(p, bad, kRaw.size(), "zstd: ", "garbage");
}

TEST(CodecHostile, Blosc) {
  Pipeline p({spec(kBloscId, {2, 2, 2, 0, 5, 1, 1})}, 2);
  Bytes good = encode(p, kRaw);
  expect_corrupt(p, Bytes(10), kRaw.size(), "blosc: ", "header truncated");
  expect_corrupt(p, truncated(good, 5), kRaw.size(), "blosc: ", "truncated");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "blosc: ", "trailing bytes");
  expect_corrupt(p, good, kRaw.size() - 2, "blosc: header says", "nbytes larger than the chunk");
  Bytes bad = good;
  for (std::size_t i = 16; i < 48 && i < bad.size(); ++i) bad[i] = std::byte{0xff};  // block offsets garbage
  expect_corrupt(p, bad, kRaw.size(), "blosc: ", "garbage offsets");
}

TEST(CodecHostile, Szip) {
  // Scanlines of 100 pixels: padded to 13 blocks of 8, the last one partial.
  Pipeline p({spec(kSzipId, {169, 8, 16, 100})}, 2);
  Bytes good = encode(p, kRaw);
  expect_corrupt(p, Bytes(3), kRaw.size(), "szip: chunk of 3 bytes is shorter", "no size header");
  expect_corrupt(p, truncated(good, 1), kRaw.size(), "szip: ", "truncated by a byte");
  expect_corrupt(p, truncated(good, 100), kRaw.size(), "szip: ", "truncated");
  expect_corrupt(p, Bytes(good.begin(), good.begin() + 4), kRaw.size(), "szip: stream ends early", "header only");
  Bytes long_tail = good;
  long_tail.resize(good.size() + 64, std::byte{0x5a});
  expect_corrupt(p, long_tail, kRaw.size(), "szip: ", "trailing bytes");
  Bytes bad = good;
  detail::store_le32(bad.data(), static_cast<std::uint32_t>(kRaw.size() * 2));
  expect_corrupt(p, bad, kRaw.size(), "szip: header says", "size larger than the chunk");
  detail::store_le32(bad.data(), static_cast<std::uint32_t>(kRaw.size() - 2));
  expect_corrupt(p, bad, kRaw.size(), "szip: header says", "size smaller than the chunk");
  detail::store_le32(bad.data(), 0xffffffffu);
  expect_corrupt(p, bad, kRaw.size(), "szip: header says", "size 4 GiB");
  // Odd size for 16-bit pixels, within an output that would take it.
  detail::store_le32(bad.data(), 3);
  Workspace ws;
  Bytes out(64);
  try {
    detail::make_szip(spec(kSzipId, {169, 8, 16, 100}), 2)->decode(view(bad), out, false, ws.state());
    ADD_FAILURE() << "odd size accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "szip: 3 bytes is not a whole number of 2-byte pixels");
  }
  bad = good;
  for (std::size_t i = 8; i < 60; ++i) bad[i] = std::byte{0xff};  // garbage coding options
  expect_corrupt(p, bad, kRaw.size(), "szip: ", "garbage");
  expect_corrupt(p, good, kRaw.size() + 200, "szip: header says", "chunk larger than the header");
}

TEST(CodecHostile, Lzf) {
  Pipeline p({spec(kLzfId, {4, 261, 0})}, 2);
  Bytes good = encode(p, kRaw);
  expect_stream_bounds_checked(p, good, "lzf");
  expect_corrupt(p, Bytes{}, kRaw.size(), "lzf: empty chunk", "empty");
  // A back reference before the start: control byte 0x20 (length 1+2, offset
  // high bits 0), offset byte 0x40, right at the start of the chunk.
  expect_corrupt(p, Bytes{std::byte{0x20}, std::byte{0x40}}, kRaw.size(), "lzf: invalid LZF stream", "reference out");
}

TEST(CodecHostile, Bzip2) {
  Pipeline p({spec(kBzip2Id, {9})}, 2);
  Bytes good = encode(p, kRaw);
  expect_stream_bounds_checked(p, good, "bzip2");
  expect_corrupt(p, Bytes{}, kRaw.size(), "bzip2: stream ends before its end marker", "empty");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "bzip2: 2 trailing bytes", "trailing bytes named");
  Bytes bad = good;
  bad[0] = std::byte{'C'};
  expect_corrupt(p, bad, kRaw.size(), "bzip2: not a bzip2 stream", "bad magic");
  bad = good;
  bad[bad.size() / 2] ^= std::byte{0x10};
  expect_corrupt(p, bad, kRaw.size(), "bzip2: ", "flipped bit");
}

TEST(CodecHostile, Lzo) {
  Pipeline p({spec(kLzoId, {1, 11, 4})}, 2);
  Bytes good = encode(p, kRaw);
  expect_stream_bounds_checked(p, good, "lzo");
  expect_corrupt(p, Bytes{}, kRaw.size(), "lzo: ", "empty");
  expect_corrupt(p, with_trailing(good), kRaw.size(), "lzo: trailing bytes", "trailing bytes named");
  Bytes bad = good;
  for (std::size_t i = 4; i < 40; ++i) bad[i] = std::byte{0xff};
  expect_corrupt(p, bad, kRaw.size(), "lzo: ", "garbage");
}

TEST(CodecHostile, PipelineNamesTheFailingFilter) {
  Pipeline p({spec(kShuffleId, {2}, kFlagOptional), spec(kDeflateId, {4}, kFlagOptional), spec(kFletcher32Id)}, 2);
  Bytes good = encode(p, kRaw);
  Bytes bad = good;
  bad[5] ^= std::byte{0x40};
  expect_corrupt(p, bad, kRaw.size(), "fletcher32: checksum mismatch", "checksum catches corruption first");
  // With the checksum skipped by the mask, the deflate stream is checked on its own.
  Workspace ws;
  Bytes out(kRaw.size());
  Bytes inner(good.begin(), good.end() - 4);
  inner[inner.size() / 2] ^= std::byte{0x40};
  EXPECT_THROW(p.decode({inner.data(), inner.size()}, out, 0b100, ws), Error);
}

}  // namespace
}  // namespace h5dig::codec

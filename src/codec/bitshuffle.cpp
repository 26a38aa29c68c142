// bitshuffle (HDF5 filter 32008), compatible with the bitshuffle HDF5 plugin.
//
// cd_values: [0] plugin major, [1] minor, [2] element size, [3] block size in
// elements (0: 8192 bytes' worth, a multiple of 8, at least 128), [4] compression
// (0 none, 2 LZ4, 3 zstd), [5] zstd level.
//
// A block of n elements (n % 8 == 0) is bit-transposed: row r = 8*j + k holds
// bit k of byte j of every element, element e at bit (e % 8) of byte e / 8.
// The last partial block is rounded down to a multiple of 8 elements, and the
// remaining (count % 8) elements are copied as they are.
//
// With compression the chunk is: 8-byte big-endian uncompressed size, 4-byte
// big-endian block size in bytes, then per block a 4-byte big-endian compressed
// size and the LZ4 block (or zstd frame) of the transposed block, then the
// trailing elements raw.
#include <lz4.h>
#include <zstd.h>

#include <fmt/format.h>

#include <climits>
#include <cstring>

#include "codec/codec.hpp"
#include "codec/simd.hpp"

namespace h5dig::codec::detail {

namespace {

constexpr std::size_t kTargetBlockBytes = 8192;  // BSHUF_TARGET_BLOCK_SIZE_B
constexpr std::size_t kMinBlock = 128;           // BSHUF_MIN_RECOMMEND_BLOCK
constexpr unsigned kCompressNone = 0, kCompressLz4 = 2, kCompressZstd = 3;

}  // namespace

std::size_t bitshuffle_default_block(std::size_t es) {
  // Must never change: it is how the plugin picks block sizes when cd_values[3] is 0.
  std::size_t b = kTargetBlockBytes / es;
  b = b / 8 * 8;
  return std::max(b, kMinBlock);
}

void bit_transpose(const std::byte* in, std::byte* out, std::size_t n, std::size_t es, std::byte* tmp) {
  // Byte planes first (tmp[j * n + i] = byte j of element i), then each run of
  // 8 bytes of a plane is an 8x8 bit matrix to transpose.
  shuffle_bytes(in, tmp, n * es, es);
  simd::bit_rows_from_planes(reinterpret_cast<const std::uint8_t*>(tmp), reinterpret_cast<std::uint8_t*>(out), n, es);
}

void bit_untranspose(const std::byte* in, std::byte* out, std::size_t n, std::size_t es, std::byte* tmp) {
  simd::planes_from_bit_rows(reinterpret_cast<const std::uint8_t*>(in), reinterpret_cast<std::uint8_t*>(tmp), n, es);
  unshuffle_bytes(tmp, out, n * es, es);
}

namespace {

class Bitshuffle final : public Codec {
 public:
  Bitshuffle(std::size_t es, std::size_t block, unsigned compression, int zstd_level)
      : es_(es), block_(block), compression_(compression), zstd_level_(zstd_level) {}

  Kind kind() const noexcept override { return compression_ == kCompressNone ? Kind::transform : Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State& ws) const override {
    if (compression_ == kCompressNone) {
      if (in.size() > out.size() || (exact && in.size() != out.size()))
        fail("bitshuffle", fmt::format("chunk holds {} bytes, expected {}", in.size(), out.size()));
      if (in.size() % es_) fail("bitshuffle", fmt::format("{} bytes is not a whole number of {}-byte elements", in.size(), es_));
      transform(in.data(), out.data(), in.size() / es_, block_, false, ws);
      return in.size();
    }
    const char* name = compression_ == kCompressLz4 ? "bitshuffle/lz4" : "bitshuffle/zstd";
    // Header: uncompressed size, block size in bytes.
    if (in.size() < 12) fail(name, fmt::format("chunk of {} bytes is shorter than the 12-byte header", in.size()));
    const std::uint64_t total = load_be64(in.data());
    const std::uint32_t block_bytes = load_be32(in.data() + 8);
    if (total > out.size() || (exact && total != out.size()))
      fail(name, fmt::format("header says {} bytes, expected {}", total, out.size()));
    if (total % es_) fail(name, fmt::format("{} bytes is not a whole number of {}-byte elements", total, es_));
    if (block_bytes == 0) fail(name, "block size 0");
    if (block_bytes % es_ || (block_bytes / es_) % 8)
      fail(name, fmt::format("block size {} bytes is not a multiple of 8 elements of {} bytes", block_bytes, es_));
    const std::size_t count = static_cast<std::size_t>(total / es_);
    const std::size_t block = block_bytes / es_;
    // Scratch is sized by the block size from the header, capped by the
    // chunk's nominal size: never by the data alone.
    const std::size_t max_block = std::min<std::size_t>(block, count / 8 * 8);
    std::byte* rows = ws.scratch.reserve(std::max<std::size_t>(max_block * es_, 1));
    std::byte* planes = ws.scratch2.reserve(std::max<std::size_t>(max_block * es_, 1));

    std::size_t pos = 12;
    std::size_t done = 0;  // elements
    std::size_t index = 0;
    const std::size_t whole = count / 8 * 8;
    while (done < whole) {
      const std::size_t n = std::min(block, whole - done);  // multiple of 8
      const std::size_t nbytes = n * es_;
      if (in.size() - pos < 4) fail(name, fmt::format("truncated before block {}", index));
      const std::size_t c = load_be32(in.data() + pos);
      pos += 4;
      if (c > in.size() - pos)
        fail(name, fmt::format("block {} claims {} bytes, {} left in the chunk", index, c, in.size() - pos));
      std::size_t got = 0;
      if (compression_ == kCompressLz4) {
        if (nbytes > INT_MAX || c > INT_MAX) fail(name, fmt::format("block {} larger than 2 GiB", index));
        int r = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + pos), reinterpret_cast<char*>(rows),
                                    static_cast<int>(c), static_cast<int>(nbytes));
        got = r < 0 ? 0 : static_cast<std::size_t>(r);
        if (r < 0) fail(name, fmt::format("block {} is corrupt", index));
      } else {
        std::size_t r = ZSTD_decompressDCtx(ws.zstd_dctx(), rows, nbytes, in.data() + pos, c);
        if (ZSTD_isError(r)) fail(name, fmt::format("block {}: {}", index, ZSTD_getErrorName(r)));
        got = r;
      }
      if (got != nbytes) fail(name, fmt::format("block {} decoded to {} bytes, expected {}", index, got, nbytes));
      bit_untranspose(rows, out.data() + done * es_, n, es_, planes);
      pos += c;
      done += n;
      ++index;
    }
    const std::size_t tail = (count - whole) * es_;
    if (in.size() - pos != tail)
      fail(name, fmt::format("{} bytes after the last block, expected {} trailing bytes", in.size() - pos, tail));
    if (tail) std::memcpy(out.data() + whole * es_, in.data() + pos, tail);
    return static_cast<std::size_t>(total);
  }

  std::size_t encode_bound(std::size_t n) const override {
    if (compression_ == kCompressNone) return n;
    const std::size_t bb = block_ * es_;
    const std::size_t blocks = bb ? n / bb + 1 : 0;
    const std::size_t per = compression_ == kCompressLz4 ? static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(std::min<std::size_t>(bb, INT_MAX / 2))))
                                                          : ZSTD_compressBound(bb);
    return 12 + blocks * (4 + per) + n;  // + n covers the trailing elements and a short last block
  }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const override {
    if (in.size() % es_)
      throw Error(ErrorKind::unsupported,
                  fmt::format("bitshuffle: {} bytes is not a whole number of {}-byte elements", in.size(), es_));
    const std::size_t count = in.size() / es_;
    if (compression_ == kCompressNone) {
      transform(in.data(), out.data(), count, block_, true, ws);
      return in.size();
    }
    store_be64(out.data(), in.size());
    store_be32(out.data() + 8, static_cast<std::uint32_t>(block_ * es_));
    const std::size_t max_block = std::min<std::size_t>(block_, count / 8 * 8);
    std::byte* rows = ws.scratch.reserve(std::max<std::size_t>(max_block * es_, 1));
    std::byte* planes = ws.scratch2.reserve(std::max<std::size_t>(max_block * es_, 1));
    std::size_t pos = 12;
    const std::size_t whole = count / 8 * 8;
    for (std::size_t done = 0; done < whole;) {
      const std::size_t n = std::min(block_, whole - done);
      const std::size_t nbytes = n * es_;
      bit_transpose(in.data() + done * es_, rows, n, es_, planes);
      std::size_t c;
      if (compression_ == kCompressLz4) {
        int r = LZ4_compress_default(reinterpret_cast<const char*>(rows), reinterpret_cast<char*>(out.data() + pos + 4),
                                     static_cast<int>(nbytes), static_cast<int>(std::min<std::size_t>(out.size() - pos - 4, INT_MAX)));
        if (r <= 0) throw Error(ErrorKind::corrupt, "bitshuffle/lz4: compression failed");
        c = static_cast<std::size_t>(r);
      } else {
        c = ZSTD_compressCCtx(ws.zstd_cctx(), out.data() + pos + 4, out.size() - pos - 4, rows, nbytes, zstd_level_);
        if (ZSTD_isError(c)) throw Error(ErrorKind::corrupt, fmt::format("bitshuffle/zstd: {}", ZSTD_getErrorName(c)));
      }
      store_be32(out.data() + pos, static_cast<std::uint32_t>(c));
      pos += 4 + c;
      done += n;
    }
    const std::size_t tail = (count - whole) * es_;
    if (tail) std::memcpy(out.data() + pos, in.data() + whole * es_, tail);
    return pos + tail;
  }

 private:
  // The uncompressed form: blocks transposed in place order, trailing elements copied.
  void transform(const std::byte* in, std::byte* out, std::size_t count, std::size_t block, bool forward,
                 Workspace::State& ws) const {
    const std::size_t whole = count / 8 * 8;
    const std::size_t max_block = std::min(block, whole);
    std::byte* planes = ws.scratch2.reserve(std::max<std::size_t>(max_block * es_, 1));
    for (std::size_t done = 0; done < whole;) {
      const std::size_t n = std::min(block, whole - done);
      if (forward)
        bit_transpose(in + done * es_, out + done * es_, n, es_, planes);
      else
        bit_untranspose(in + done * es_, out + done * es_, n, es_, planes);
      done += n;
    }
    const std::size_t tail = (count - whole) * es_;
    if (tail) std::memcpy(out + whole * es_, in + whole * es_, tail);
  }

  std::size_t es_;
  std::size_t block_;
  unsigned compression_;
  int zstd_level_;
};

}  // namespace

std::unique_ptr<Codec> make_bitshuffle(const FilterSpec& spec, std::size_t element_size) {
  const auto& cd = spec.cd_values;
  std::size_t es = cd.size() > 2 && cd[2] ? cd[2] : element_size;
  if (es == 0) es = 1;
  std::size_t block = cd.size() > 3 ? cd[3] : 0;
  if (block == 0) block = bitshuffle_default_block(es);
  if (block % 8) throw Error(ErrorKind::unsupported, fmt::format("bitshuffle: block size {} is not a multiple of 8", block));
  if (block * es > (std::size_t(1) << 30))
    throw Error(ErrorKind::unsupported, fmt::format("bitshuffle: block size {} too large", block));
  unsigned compression = cd.size() > 4 ? cd[4] : kCompressNone;
  if (compression != kCompressNone && compression != kCompressLz4 && compression != kCompressZstd)
    throw Error(ErrorKind::unsupported, fmt::format("bitshuffle: compression {} is not 0, 2 (lz4) or 3 (zstd)", compression));
  // zstd came with bitshuffle 0.4: a plugin older than that (its version is
  // cd_values[0..1], set when the chunk was written) does not know compression 3
  // and only bitshuffles, as Debian 12's bitshuffle 0.3.5 does; HDF5 reads such
  // chunks back through the same plugin, so h5dig must read them that way too.
  if (compression == kCompressZstd && cd.size() > 1 && cd[0] == 0 && cd[1] < 4) compression = kCompressNone;
  int level = cd.size() > 5 ? static_cast<int>(cd[5]) : 0;
  return std::make_unique<Bitshuffle>(es, block, compression, level);
}

}  // namespace h5dig::codec::detail

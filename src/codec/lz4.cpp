// LZ4 (HDF5 filter 32004) with the framing of the HDF Group's H5Zlz4 plugin:
//   8-byte big-endian total size, 4-byte big-endian block size, then per block
//   a 4-byte big-endian compressed size and the block; a block whose compressed
//   size equals its size is stored raw. cd_values[0] = block size (0: 1 GiB).
#include <lz4.h>

#include <fmt/format.h>

#include <climits>
#include <cstring>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

constexpr std::size_t kDefaultBlock = std::size_t(1) << 30;  // H5Zlz4's DEFAULT_BLOCK_SIZE

class Lz4 final : public Codec {
 public:
  explicit Lz4(std::size_t block) : block_(block) {}
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    // Header: total size and block size.
    if (in.size() < 12) fail("lz4", fmt::format("chunk of {} bytes is shorter than the 12-byte header", in.size()));
    const std::uint64_t total = load_be64(in.data());
    std::uint64_t block = load_be32(in.data() + 8);
    if (total > out.size() || (exact && total != out.size()))
      fail("lz4", fmt::format("header says {} bytes, expected {}", total, out.size()));
    if (total > 0 && block == 0) fail("lz4", "block size 0");
    if (block > total) block = total;  // as the plugin does: one block
    std::size_t pos = 12;
    std::uint64_t done = 0;
    std::size_t index = 0;
    while (done < total) {
      const std::size_t bs = static_cast<std::size_t>(std::min<std::uint64_t>(block, total - done));
      if (in.size() - pos < 4) fail("lz4", fmt::format("truncated before block {}", index));
      const std::size_t c = load_be32(in.data() + pos);
      pos += 4;
      if (c > in.size() - pos)
        fail("lz4", fmt::format("block {} claims {} bytes, {} left in the chunk", index, c, in.size() - pos));
      std::byte* dst = out.data() + done;
      if (c == bs) {
        std::memcpy(dst, in.data() + pos, bs);
      } else {
        if (c > INT_MAX || bs > INT_MAX) fail("lz4", fmt::format("block {} larger than 2 GiB", index));
        int r = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + pos), reinterpret_cast<char*>(dst),
                                    static_cast<int>(c), static_cast<int>(bs));
        if (r < 0 || static_cast<std::size_t>(r) != bs)
          fail("lz4", fmt::format("block {} is corrupt (decoded {} of {} bytes)", index, r < 0 ? 0 : r, bs));
      }
      pos += c;
      done += bs;
      ++index;
    }
    if (pos != in.size()) fail("lz4", fmt::format("{} trailing bytes after the last block", in.size() - pos));
    return static_cast<std::size_t>(total);
  }

  std::size_t block_for(std::size_t n) const { return std::min(block_, n); }

  std::size_t encode_bound(std::size_t n) const override {
    const std::size_t bs = block_for(n);
    const std::size_t blocks = bs ? (n + bs - 1) / bs : 0;
    return 12 + blocks * (4 + static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(bs))));
  }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    const std::size_t n = in.size();
    if (n > INT32_MAX) throw Error(ErrorKind::unsupported, "lz4: chunks over 2 GiB cannot be compressed");
    const std::size_t bs = block_for(n);
    store_be64(out.data(), n);
    store_be32(out.data() + 8, static_cast<std::uint32_t>(bs));
    std::size_t pos = 12;
    for (std::size_t off = 0; off < n; off += bs) {
      const std::size_t len = std::min(bs, n - off);
      const int cap = static_cast<int>(out.size() - pos - 4);
      int c = LZ4_compress_default(reinterpret_cast<const char*>(in.data() + off),
                                   reinterpret_cast<char*>(out.data() + pos + 4), static_cast<int>(len), cap);
      if (c <= 0 || static_cast<std::size_t>(c) >= len) {  // no gain: store the block raw
        std::memcpy(out.data() + pos + 4, in.data() + off, len);
        c = static_cast<int>(len);
      }
      store_be32(out.data() + pos, static_cast<std::uint32_t>(c));
      pos += 4 + static_cast<std::size_t>(c);
    }
    return pos;
  }

 private:
  std::size_t block_;
};

}  // namespace

std::unique_ptr<Codec> make_lz4(const FilterSpec& spec, std::size_t) {
  std::size_t block = (!spec.cd_values.empty() && spec.cd_values[0] > 0) ? spec.cd_values[0] : kDefaultBlock;
  if (block > kDefaultBlock * 2 - 1) throw Error(ErrorKind::unsupported, fmt::format("lz4: block size {} over 2 GiB", block));
  return std::make_unique<Lz4>(block);
}

}  // namespace h5dig::codec::detail

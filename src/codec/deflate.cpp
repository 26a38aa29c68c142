// deflate (HDF5 filter 1): zlib-wrapped deflate streams, as HDF5's H5Z_filter_deflate
// writes them (compress2 at cd_values[0]). Decoded with libdeflate; encoded with
// libdeflate, with h5dig's own encoder at HDF5's default level 4 (see
// deflate_encoder.hpp), or with zlib itself for `gzip=N:zlib` (DeflateEngine::zlib).
#include <libdeflate.h>
#include <zlib.h>

#include <fmt/format.h>

#include "codec/codec.hpp"
#include "codec/deflate_encoder.hpp"

namespace h5dig::codec::detail {

int libdeflate_level_for(unsigned hdf5_level) {
  // HDF5 levels 1-9 mean zlib's levels. libdeflate's levels compress harder
  // than zlib's at the same number; this table (measured with `h5dig bench
  // codecs --levels` on shuffled detector frames and on text, see docs/codecs.md)
  // picks for each zlib level the fastest libdeflate level whose output is no
  // more than 5% larger than zlib's on both (with a margin at 7-9, where users
  // ask for size). 10-12 are libdeflate's own strongest levels, on request.
  // Level 4 is the exception: no libdeflate level meets that bar there on raw
  // (unshuffled) input at twice zlib's speed, so it is h5dig's own encoder
  // (kOwnEncoderLevel); 2 is the nearest libdeflate level, kept for reference.
  static constexpr int kTable[13] = {0, 1, 1, 1, 2, 3, 4, 5, 5, 5, 10, 11, 12};
  return kTable[hdf5_level > 12 ? 12 : hdf5_level];
}

namespace {

// Decodes with libdeflate; encodes with libdeflate at the level mapped from
// HDF5's (see libdeflate_level_for).
class Deflate : public Codec {
 public:
  explicit Deflate(unsigned hdf5_level) : hdf5_level_(hdf5_level), level_(libdeflate_level_for(hdf5_level)) {}
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State& ws) const override {
    std::size_t in_used = 0, out_size = 0;
    auto r = libdeflate_zlib_decompress_ex(ws.inflater(), in.data(), in.size(), out.data(), out.size(), &in_used,
                                           &out_size);
    switch (r) {
      case LIBDEFLATE_SUCCESS: break;
      case LIBDEFLATE_INSUFFICIENT_SPACE:
        fail("deflate", fmt::format("stream inflates to more than {} bytes", out.size()));
      case LIBDEFLATE_SHORT_OUTPUT:
        fail("deflate", fmt::format("stream inflates to fewer than {} bytes", out.size()));
      default: fail("deflate", "invalid or truncated zlib stream");
    }
    if (in_used != in.size())
      fail("deflate", fmt::format("{} trailing bytes after the zlib stream", in.size() - in_used));
    if (exact && out_size != out.size())
      fail("deflate", fmt::format("stream inflates to {} bytes, expected {}", out_size, out.size()));
    return out_size;
  }

  std::size_t encode_bound(std::size_t n) const override {
    // libdeflate's bound depends only on the size for a given compressor; the
    // null-compressor form gives the bound over all levels.
    return libdeflate_zlib_compress_bound(nullptr, n);
  }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const override {
    std::size_t n = libdeflate_zlib_compress(ws.deflater(level_), in.data(), in.size(), out.data(), out.size());
    if (n == 0) throw Error(ErrorKind::corrupt, "deflate: output buffer too small");  // bound violated: a bug
    return n;
  }

 protected:
  unsigned hdf5_level_;

 private:
  int level_;
};

// HDF5 level 4 (kOwnEncoderLevel): h5dig's own encoder (deflate_encoder.hpp).
class OwnDeflate final : public Deflate {
 public:
  using Deflate::Deflate;

  std::size_t encode_bound(std::size_t n) const override { return DeflateEncoder::zlib_bound(n); }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const override {
    if (out.size() < DeflateEncoder::zlib_bound(in.size()))
      throw Error(ErrorKind::corrupt, "deflate: output buffer too small");  // bound violated: a bug
    return ws.deflate_encoder().compress_zlib(reinterpret_cast<const std::uint8_t*>(in.data()), in.size(),
                                              reinterpret_cast<std::uint8_t*>(out.data()), kOwnEncoderParams);
  }
};

// `gzip=N:zlib`: the same streams HDF5's H5Z_filter_deflate writes (compress2
// at the HDF5 level), byte for byte; decoding stays libdeflate's.
class ZlibDeflate final : public Deflate {
 public:
  using Deflate::Deflate;

  std::size_t encode_bound(std::size_t n) const override { return compressBound(static_cast<uLong>(n)); }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    uLongf n = static_cast<uLongf>(out.size());
    int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(in.data()),
                       static_cast<uLong>(in.size()), static_cast<int>(hdf5_level_));
    if (rc != Z_OK) throw Error(ErrorKind::io, fmt::format("deflate (zlib): compress2 failed ({})", rc));
    return n;
  }
};

unsigned hdf5_deflate_level(const FilterSpec& spec, unsigned max) {
  // H5Pset_deflate stores the level in cd_values[0].
  unsigned level = spec.cd_values.empty() ? 6u : spec.cd_values[0];
  if (level > max) throw Error(ErrorKind::unsupported, fmt::format("deflate: level {} is not 0-{}", level, max));
  return level;
}

}  // namespace

std::unique_ptr<Codec> make_deflate(const FilterSpec& spec, std::size_t) {
  // HDF5 itself rejects levels above 9; h5dig accepts libdeflate's 10-12 on request.
  const unsigned level = hdf5_deflate_level(spec, 12);
  if (level == kOwnEncoderLevel) return std::make_unique<OwnDeflate>(level);
  return std::make_unique<Deflate>(level);
}

std::unique_ptr<Codec> make_zlib_deflate(const FilterSpec& spec) {
  return std::make_unique<ZlibDeflate>(hdf5_deflate_level(spec, 9));
}

}  // namespace h5dig::codec::detail

// zstd (HDF5 filter 32015): one plain zstd frame per chunk, as the Zstandard
// HDF5 plugin writes it; cd_values[0] = compression level (default 3).
#include <zstd.h>

#include <fmt/format.h>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

class Zstd final : public Codec {
 public:
  explicit Zstd(int level) : level_(level) {}
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State& ws) const override {
    // The frame's content size, if present, must match before anything is written.
    unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
    if (content == ZSTD_CONTENTSIZE_ERROR) fail("zstd", "not a zstd frame");
    if (content != ZSTD_CONTENTSIZE_UNKNOWN && (content > out.size() || (exact && content != out.size())))
      fail("zstd", fmt::format("frame says {} bytes, expected {}", content, out.size()));
    // Decodes every frame in the chunk; output is bounded by `out`, trailing
    // garbage is an error (not a frame).
    std::size_t r = ZSTD_decompressDCtx(ws.zstd_dctx(), out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(r)) fail("zstd", ZSTD_getErrorName(r));
    return r;
  }

  std::size_t encode_bound(std::size_t n) const override { return ZSTD_compressBound(n); }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const override {
    std::size_t r = ZSTD_compressCCtx(ws.zstd_cctx(), out.data(), out.size(), in.data(), in.size(), level_);
    if (ZSTD_isError(r)) throw Error(ErrorKind::corrupt, fmt::format("zstd: {}", ZSTD_getErrorName(r)));
    return r;
  }

 private:
  int level_;
};

}  // namespace

std::unique_ptr<Codec> make_zstd(const FilterSpec& spec, std::size_t) {
  int level = spec.cd_values.empty() ? 3 : static_cast<int>(spec.cd_values[0]);
  if (level > ZSTD_maxCLevel() || level < ZSTD_minCLevel())
    throw Error(ErrorKind::unsupported, fmt::format("zstd: level {} out of range", level));
  return std::make_unique<Zstd>(level);
}

}  // namespace h5dig::codec::detail

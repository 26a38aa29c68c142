// blosc (HDF5 filter 32001) through libblosc's context API (no global state,
// one internal thread: h5dig parallelises across chunks). cd_values as the
// hdf5-blosc filter stores them:
//   [0] filter revision, [1] blosc format version, [2] typesize,
//   [3] chunk size in bytes, [4] clevel, [5] shuffle (0 none, 1 byte, 2 bit),
//   [6] compressor code (0 blosclz, 1 lz4, 2 lz4hc, 3 snappy, 4 zlib, 5 zstd).
#include <blosc.h>

#include <fmt/format.h>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

class Blosc final : public Codec {
 public:
  Blosc(std::size_t typesize, int clevel, int shuffle, const char* compressor, int code)
      : typesize_(typesize), clevel_(clevel), shuffle_(shuffle), compressor_(compressor), code_(code) {}
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    // blosc_cbuffer_validate checks that the header's compressed size is the
    // chunk's size and the decompressed size is sane; only then is it safe to
    // let libblosc read the buffer.
    std::size_t nbytes = 0;
    if (in.size() < BLOSC_MIN_HEADER_LENGTH)
      fail("blosc", fmt::format("chunk of {} bytes is shorter than the blosc header", in.size()));
    if (blosc_cbuffer_validate(in.data(), in.size(), &nbytes) != 0) {
      std::size_t nb = 0, cb = 0, bs = 0;
      blosc_cbuffer_sizes(in.data(), &nb, &cb, &bs);
      if (cb != in.size()) fail("blosc", fmt::format("header says {} compressed bytes, the chunk has {}", cb, in.size()));
      fail("blosc", "invalid blosc header");
    }
    if (nbytes > out.size() || (exact && nbytes != out.size()))
      fail("blosc", fmt::format("header says {} bytes, expected {}", nbytes, out.size()));
    if (nbytes == 0) return 0;
    int r = blosc_decompress_ctx(in.data(), out.data(), out.size(), 1);
    if (r < 0 || static_cast<std::size_t>(r) != nbytes) fail("blosc", fmt::format("corrupt data (error {})", r));
    return nbytes;
  }

  std::size_t encode_bound(std::size_t n) const override { return n + BLOSC_MAX_OVERHEAD; }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    if (!compressor_)
      throw Error(ErrorKind::unsupported, fmt::format("blosc: compressor code {} is not built into libblosc", code_));
    int r = blosc_compress_ctx(clevel_, shuffle_, typesize_, in.size(), in.data(), out.data(), out.size(), compressor_,
                               0, 1);
    if (r <= 0) throw Error(ErrorKind::corrupt, fmt::format("blosc: compression failed (error {})", r));
    return static_cast<std::size_t>(r);
  }

 private:
  std::size_t typesize_;
  int clevel_;
  int shuffle_;
  const char* compressor_;
  int code_;
};

}  // namespace

std::unique_ptr<Codec> make_blosc(const FilterSpec& spec, std::size_t element_size) {
  const auto& cd = spec.cd_values;
  // Defaults of hdf5-blosc's filter function when cd_values are short.
  std::size_t typesize = cd.size() > 2 && cd[2] ? cd[2] : element_size;
  if (typesize > BLOSC_MAX_TYPESIZE) typesize = 1;
  int clevel = cd.size() > 4 ? static_cast<int>(cd[4]) : 5;
  int shuffle = cd.size() > 5 ? static_cast<int>(cd[5]) : 1;
  int code = cd.size() > 6 ? static_cast<int>(cd[6]) : BLOSC_BLOSCLZ;
  if (clevel < 0 || clevel > 9) throw Error(ErrorKind::unsupported, fmt::format("blosc: level {} is not 0-9", clevel));
  if (shuffle < 0 || shuffle > 2) throw Error(ErrorKind::unsupported, fmt::format("blosc: shuffle mode {}", shuffle));
  // The compressor matters only for encoding (the chunk header says how to
  // decode), so an unknown code fails at encode time, not here.
  const char* name = nullptr;
  if (blosc_compcode_to_compname(code, &name) < 0) name = nullptr;
  return std::make_unique<Blosc>(typesize, clevel, shuffle, name, code);
}

}  // namespace h5dig::codec::detail

// LZF (HDF5 filter 32000), h5py's own filter: one raw liblzf stream per chunk,
// no header. cd_values as h5py's set_local records them: [0] filter revision
// (4), [1] LZF API version (0x105), [2] chunk size in bytes (the decoder's
// first buffer guess); none of them changes the bytes.
//
// h5py compresses into a buffer of the chunk's own size and gives up when the
// stream does not fit (the filter is optional: HDF5 then stores the chunk raw,
// its mask bit set); encode_optional does the same, so h5dig skips LZF for
// exactly the chunks h5py skips it for. Debian's h5py and the bitshuffle
// package's LZF plugin both link Debian's liblzf, as h5dig does.
#include <lzf.h>

#include <fmt/format.h>

#include <cerrno>
#include <algorithm>
#include <climits>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

class Lzf final : public Codec {
 public:
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    if (in.empty()) {
      if (exact && !out.empty()) fail("lzf", fmt::format("empty chunk, expected {} bytes", out.size()));
      return 0;
    }
    if (in.size() > UINT_MAX) fail("lzf", fmt::format("chunk of {} bytes is over 4 GiB", in.size()));
    // lzf_decompress never writes past its output size and checks every
    // back reference and literal run against both buffers (liblzf's CHECK_INPUT).
    const auto cap = static_cast<unsigned>(std::min<std::size_t>(out.size(), UINT_MAX));
    errno = 0;
    const unsigned n = lzf_decompress(in.data(), static_cast<unsigned>(in.size()), out.data(), cap);
    if (n == 0) {
      if (errno == E2BIG) fail("lzf", fmt::format("stream decodes to more than {} bytes", out.size()));
      fail("lzf", "invalid LZF stream");
    }
    if (exact && n != out.size()) fail("lzf", fmt::format("stream decodes to {} bytes, expected {}", n, out.size()));
    return n;
  }

  // liblzf: at most 104% of the input (one length byte per 32 literals), +1.
  std::size_t encode_bound(std::size_t n) const override { return n + n / 32 + 16; }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    if (in.empty()) return 0;
    const unsigned n = compress(in, out, out.size());
    if (n == 0) throw Error(ErrorKind::corrupt, "lzf: output buffer too small");  // bound violated: a bug
    return n;
  }

  std::size_t encode_optional(Bytes in, MutBytes out, Workspace::State&) const override {
    if (in.empty()) return 0;
    // h5py's lzf_filter: an output buffer as long as the input, 0 = give up.
    const unsigned n = compress(in, out, in.size());
    return n == 0 ? kDeclined : n;
  }

 private:
  // Compresses into the first `cap` bytes of `out`; 0 if the stream does not fit.
  static unsigned compress(Bytes in, MutBytes out, std::size_t cap) {
    if (in.size() > UINT_MAX) throw Error(ErrorKind::unsupported, "lzf: chunks over 4 GiB cannot be compressed");
    return lzf_compress(in.data(), static_cast<unsigned>(in.size()), out.data(),
                        static_cast<unsigned>(std::min({cap, out.size(), std::size_t{UINT_MAX}})));
  }
};

}  // namespace

std::unique_ptr<Codec> make_lzf(const FilterSpec&, std::size_t) { return std::make_unique<Lzf>(); }

}  // namespace h5dig::codec::detail

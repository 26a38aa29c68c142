// LZO (HDF5 filter 305), PyTables' own filter (src/H5Zlzo.c): one raw LZO1X
// stream per chunk, compressed with lzo1x_1_compress, no header and no
// checksum (PyTables has compiled its optional Adler-32 trailer out since 0.8,
// 2004). cd_values = {complevel, object version x 10, object type}; the filter
// ignores them. PyTables gives up on a chunk whose stream would not be smaller
// (the filter is optional: the chunk is stored raw), which is also h5dig's
// rule for optional compressors.
#include <lzo/lzo1x.h>

#include <fmt/format.h>

#include <mutex>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

void init_lzo() {
  static std::once_flag once;
  static int status = LZO_E_OK;
  std::call_once(once, [] { status = lzo_init(); });
  if (status != LZO_E_OK) throw Error(ErrorKind::io, fmt::format("lzo: lzo_init failed ({})", status));
}

std::string lzo_error(int code, std::size_t capacity) {
  switch (code) {
    case LZO_E_INPUT_OVERRUN: return "stream ends early (truncated or corrupt)";
    case LZO_E_OUTPUT_OVERRUN: return fmt::format("stream decodes to more than {} bytes", capacity);
    case LZO_E_LOOKBEHIND_OVERRUN: return "back reference before the start of the chunk";
    case LZO_E_INPUT_NOT_CONSUMED: return "trailing bytes after the LZO stream";
    case LZO_E_EOF_NOT_FOUND: return "no end-of-stream marker";
    default: return fmt::format("invalid LZO1X stream (error {})", code);
  }
}

class Lzo final : public Codec {
 public:
  Lzo() { init_lzo(); }
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    // The safe decoder checks every read against `in` and every write and
    // back reference against `out`.
    lzo_uint n = out.size();
    const int r = lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                        reinterpret_cast<unsigned char*>(out.data()), &n, nullptr);
    if (r != LZO_E_OK) fail("lzo", lzo_error(r, out.size()));
    if (exact && n != out.size()) fail("lzo", fmt::format("stream decodes to {} bytes, expected {}", n, out.size()));
    return n;
  }

  // LZO1X's documented worst case: n + n/16 + 64 + 3.
  std::size_t encode_bound(std::size_t n) const override { return n + n / 16 + 64 + 3; }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const override {
    lzo_uint n = out.size();
    std::byte* wrkmem = ws.scratch.reserve(LZO1X_1_MEM_COMPRESS);
    const int r = lzo1x_1_compress(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                   reinterpret_cast<unsigned char*>(out.data()), &n, wrkmem);
    if (r != LZO_E_OK) throw Error(ErrorKind::corrupt, fmt::format("lzo: compression failed ({})", r));
    return n;
  }
};

}  // namespace

std::unique_ptr<Codec> make_lzo(const FilterSpec&, std::size_t) { return std::make_unique<Lzo>(); }

}  // namespace h5dig::codec::detail

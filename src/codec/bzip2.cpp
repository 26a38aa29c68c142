// bzip2 (HDF5 filter 307): one bzip2 stream per chunk, no header, as both
// writers of filter 307 store it: PyTables' H5Zbzip2.c and the HDF Group's
// plugin (Debian hdf5-filter-plugin, libh5bz2.so), which share that code.
// cd_values[0] = block size in 100 kB (1-9; 9 when absent). PyTables records
// {complevel, object version, object type}, the plugin the user's {block size}:
// both read only cd_values[0]. Both compress with BZ2_bzBuffToBuffCompress
// (verbosity 0, work factor 0), as h5dig does, so the bytes are the same.
#include <bzlib.h>

#include <fmt/format.h>

#include <climits>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

const char* bz_error(int code) {
  switch (code) {
    case BZ_DATA_ERROR: return "corrupt bzip2 data (CRC or structure)";
    case BZ_DATA_ERROR_MAGIC: return "not a bzip2 stream";
    case BZ_MEM_ERROR: return "out of memory";
    case BZ_PARAM_ERROR: return "bad parameters";
    default: return "bzip2 error";
  }
}

// Ends a decompression stream whatever the exit path.
struct DecompressStream {
  bz_stream s{};
  DecompressStream() {
    const int r = BZ2_bzDecompressInit(&s, 0, 0);
    if (r == BZ_MEM_ERROR) throw std::bad_alloc();
    if (r != BZ_OK) throw Error(ErrorKind::io, fmt::format("bzip2: BZ2_bzDecompressInit failed ({})", r));
  }
  ~DecompressStream() { BZ2_bzDecompressEnd(&s); }
  DecompressStream(const DecompressStream&) = delete;
  DecompressStream& operator=(const DecompressStream&) = delete;
};

class Bzip2 final : public Codec {
 public:
  explicit Bzip2(int block_size) : block_size_(block_size) {}
  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    // bzlib's own allocations are set by the stream's block-size digit (at
    // most 9: about 3.6 MB), never by a length; output is bounded by `out`.
    if (in.size() > UINT_MAX || out.size() > UINT_MAX)
      fail("bzip2", fmt::format("chunk of {} bytes is over 4 GiB", std::max(in.size(), out.size())));
    DecompressStream z;
    z.s.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    z.s.avail_in = static_cast<unsigned>(in.size());
    z.s.next_out = reinterpret_cast<char*>(out.data());
    z.s.avail_out = static_cast<unsigned>(out.size());
    int r = BZ_OK;
    while (r == BZ_OK) {
      const unsigned in_before = z.s.avail_in, out_before = z.s.avail_out;
      r = BZ2_bzDecompress(&z.s);
      if (r < 0) fail("bzip2", bz_error(r));
      if (r == BZ_OK && z.s.avail_out == 0) {
        // Full: the stream must end here. One spare byte shows whether it
        // would go on.
        char spare;
        z.s.next_out = &spare;
        z.s.avail_out = 1;
        r = BZ2_bzDecompress(&z.s);
        if (r < 0) fail("bzip2", bz_error(r));
        if (z.s.avail_out == 0) fail("bzip2", fmt::format("stream decodes to more than {} bytes", out.size()));
        if (r == BZ_OK) fail("bzip2", "stream ends before its end marker (truncated or corrupt)");
        z.s.avail_out = 0;
        break;
      }
      // No progress: it wants input there is not.
      if (r == BZ_OK && z.s.avail_in == in_before && z.s.avail_out == out_before)
        fail("bzip2", "stream ends before its end marker (truncated or corrupt)");
    }
    const std::size_t n = out.size() - z.s.avail_out;
    if (z.s.avail_in != 0) fail("bzip2", fmt::format("{} trailing bytes after the bzip2 stream", z.s.avail_in));
    if (exact && n != out.size()) fail("bzip2", fmt::format("stream decodes to {} bytes, expected {}", n, out.size()));
    return n;
  }

  // bzip2's documented worst case: 1% + 600 bytes.
  std::size_t encode_bound(std::size_t n) const override { return n + n / 100 + 600; }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    if (block_size_ < 1 || block_size_ > 9)
      throw Error(ErrorKind::unsupported, fmt::format("bzip2: block size {} is not 1-9", block_size_));
    if (in.size() > UINT_MAX) throw Error(ErrorKind::unsupported, "bzip2: chunks over 4 GiB cannot be compressed");
    unsigned n = static_cast<unsigned>(std::min<std::size_t>(out.size(), UINT_MAX));
    char none = 0;  // bzlib refuses a null source, even of 0 bytes
    char* src = in.empty() ? &none : const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    const int r = BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &n, src,
                                           static_cast<unsigned>(in.size()), block_size_, 0, 0);
    if (r == BZ_MEM_ERROR) throw std::bad_alloc();
    if (r != BZ_OK) throw Error(ErrorKind::corrupt, fmt::format("bzip2: compression failed ({})", r));
    return n;
  }

 private:
  int block_size_;
};

}  // namespace

std::unique_ptr<Codec> make_bzip2(const FilterSpec& spec, std::size_t) {
  // The block size matters only for encoding (a stream says its own), so a
  // value outside 1-9 fails at encode time, as in the writers' filter, not here.
  const unsigned v = spec.cd_values.empty() ? 9u : spec.cd_values[0];
  return std::make_unique<Bzip2>(v > 9 ? 0 : static_cast<int>(v));
}

}  // namespace h5dig::codec::detail

// szip (HDF5 filter 4) through libaec, the szip implementation Debian's HDF5
// is built with.
//
// A chunk is HDF5's 4-byte little-endian uncompressed size followed by the
// stream libaec's SZ_BufftoBuffCompress writes (H5Z_filter_szip). cd_values,
// as HDF5's set_local records them: [0] options mask (EC 4 or NN 32, LSB 8 or
// MSB 16 from the type's byte order, plus K13 1 and RAW 128, which libaec
// ignores), [1] pixels per block (even, 2-32), [2] bits per pixel (the type's
// precision: 1-24, 32 or 64), [3] pixels per scanline (the chunk's last
// dimension, at most 128 blocks).
//
// libsz (libaec's szip interface) turns those into an AEC stream this way,
// and h5dig does the same on libaec's own API:
//  - 32- and 64-bit pixels are coded as byte planes (HDF5's byte shuffle) of
//    8-bit samples; other widths as samples of 1, 2 or 4 bytes;
//  - each scanline of pixels_per_scanline samples is padded to a whole number
//    of blocks (with NN, by repeating its last sample; with EC, with zeros),
//    and so is the last, partial scanline;
//  - the encoder accepts any even block size (AEC_NOT_ENFORCE).
// Working on libaec's API rather than through libsz lets the decoder check
// that the stream fills the chunk (libsz hands back its buffer as it is when
// a padded stream ends early) and keeps the scratch buffers in the Workspace.
#include <libaec.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "codec/codec.hpp"

namespace h5dig::codec::detail {

namespace {

// Options mask bits (H5Zpublic.h H5_SZIP_*_OPTION_MASK, szlib.h SZ_*).
constexpr unsigned kMsbMask = 16;
constexpr unsigned kNnMask = 32;
constexpr unsigned kMaxPixelsPerBlock = 32;   // H5_SZIP_MAX_PIXELS_PER_BLOCK
constexpr unsigned kMaxBlocksPerScanline = 4096;  // libaec's limit on rsi

// How a chunk of `n` bytes is laid out for the AEC coder.
struct Layout {
  std::size_t samples;       // coded samples in the chunk
  std::size_t line_bytes;    // one scanline of the chunk
  std::size_t padded_line;   // one scanline padded to whole blocks
  std::size_t scanlines;
  std::size_t coded_bytes() const { return scanlines * padded_line; }
  bool padded(std::size_t n) const { return coded_bytes() != n; }
};

class Szip final : public Codec {
 public:
  Szip(unsigned mask, unsigned ppb, unsigned bpp, unsigned pps)
      : ppb_(ppb), pps_(pps), rsi_((pps + ppb - 1) / ppb) {
    interleave_ = bpp == 32 || bpp == 64;
    word_ = interleave_ ? bpp / 8 : 1;
    bits_ = interleave_ ? 8 : bpp;
    sample_bytes_ = bits_ > 16 ? 4 : bits_ > 8 ? 2 : 1;
    flags_ = ((mask & kMsbMask) ? AEC_DATA_MSB : 0) | ((mask & kNnMask) ? AEC_DATA_PREPROCESS : 0);
  }

  Kind kind() const noexcept override { return Kind::compressor; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State& ws) const override {
    if (in.size() < 4) fail("szip", fmt::format("chunk of {} bytes is shorter than the 4-byte size header", in.size()));
    const std::size_t n = load_le32(in.data());
    if (n > out.size() || (exact && n != out.size()))
      fail("szip", fmt::format("header says {} bytes, expected {}", n, out.size()));
    if (n % unit() != 0) fail("szip", fmt::format("{} bytes is not a whole number of {}-byte pixels", n, unit()));
    const Layout lay = layout(n);
    // The coder's output: the chunk itself unless it is padded or interleaved.
    const bool direct = !lay.padded(n) && !interleave_;
    std::byte* coded = direct ? out.data() : ws.scratch.reserve(std::max<std::size_t>(lay.coded_bytes(), 1));

    aec_stream s{};
    s.next_in = reinterpret_cast<const unsigned char*>(in.data() + 4);
    s.avail_in = in.size() - 4;
    s.next_out = reinterpret_cast<unsigned char*>(coded);
    s.avail_out = lay.coded_bytes();
    set_params(s, 0);
    const int r = aec_buffer_decode(&s);
    if (r == AEC_MEM_ERROR) throw std::bad_alloc();
    if (r != AEC_OK) fail("szip", r == AEC_DATA_ERROR ? "corrupt szip stream" : fmt::format("libaec error {}", r));
    if (s.total_out != lay.coded_bytes())
      fail("szip", fmt::format("stream ends early: it decodes to {} of {} bytes", s.total_out, lay.coded_bytes()));
    if (s.avail_in != 0) fail("szip", fmt::format("{} trailing bytes after the szip stream", s.avail_in));

    std::byte* planes = interleave_ ? ws.scratch2.reserve(std::max<std::size_t>(n, 1)) : out.data();
    if (lay.padded(n)) {
      // Drop each scanline's padding.
      for (std::size_t line = 0, done = 0; done < n; ++line) {
        const std::size_t len = std::min(lay.line_bytes, n - done);
        std::memcpy(planes + done, coded + line * lay.padded_line, len);
        done += len;
      }
    } else if (interleave_) {
      planes = coded;
    }
    if (interleave_) unshuffle_bytes(planes, out.data(), n, word_);
    return n;
  }

  std::size_t encode_bound(std::size_t n) const override {
    // Worst case, every block stored uncompressed: its samples plus an id of
    // at most 5 bits, i.e. at most one byte more per block (blocks hold >= 2
    // samples of >= 1 byte), then the final partial byte.
    const std::size_t coded = layout(n).coded_bytes();
    return 4 + coded + coded / ppb_ + 64;
  }

  std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const override {
    const std::size_t r = compress(in, out, out.size() - 4, ws);
    if (r == kDeclined) throw Error(ErrorKind::corrupt, "szip: output buffer too small");  // bound violated: a bug
    return r;
  }

  std::size_t encode_optional(Bytes in, MutBytes out, Workspace::State& ws) const override {
    // H5Z_filter_szip gives libsz an output buffer of the chunk's size and
    // fails (the filter is optional: HDF5 stores the chunk raw) if the
    // stream does not fit.
    return compress(in, out, std::min(out.size() - 4, in.size()), ws);
  }

 private:
  std::size_t unit() const { return interleave_ ? word_ : sample_bytes_; }

  Layout layout(std::size_t n) const {
    Layout l;
    l.samples = n / sample_bytes_;
    l.line_bytes = std::size_t{pps_} * sample_bytes_;
    l.padded_line = std::size_t{rsi_} * ppb_ * sample_bytes_;
    l.scanlines = (l.samples + pps_ - 1) / pps_;
    return l;
  }

  void set_params(aec_stream& s, int extra_flags) const {
    s.bits_per_sample = bits_;
    s.block_size = ppb_;
    s.rsi = rsi_;
    s.flags = flags_ | extra_flags;
  }

  // Writes the size header and the stream, using at most `cap` bytes for the
  // stream; kDeclined if it does not fit.
  std::size_t compress(Bytes in, MutBytes out, std::size_t cap, Workspace::State& ws) const {
    const std::size_t n = in.size();
    if (n > UINT32_MAX) throw Error(ErrorKind::unsupported, "szip: chunks over 4 GiB cannot be compressed");
    if (n % unit() != 0)
      throw Error(ErrorKind::unsupported,
                  fmt::format("szip: {} bytes is not a whole number of {}-byte pixels", n, unit()));
    const Layout lay = layout(n);
    const std::byte* src = in.data();
    if (interleave_) {
      std::byte* planes = ws.scratch2.reserve(std::max<std::size_t>(n, 1));
      shuffle_bytes(src, planes, n, word_);
      src = planes;
    }
    if (lay.padded(n)) {
      std::byte* padded = ws.scratch.reserve(std::max<std::size_t>(lay.coded_bytes(), 1));
      pad_scanlines(src, n, padded, lay);
      src = padded;
    }
    store_le32(out.data(), static_cast<std::uint32_t>(n));
    aec_stream s{};
    s.next_in = reinterpret_cast<const unsigned char*>(src);
    s.avail_in = lay.coded_bytes();
    s.next_out = reinterpret_cast<unsigned char*>(out.data() + 4);
    s.avail_out = cap;
    set_params(s, AEC_NOT_ENFORCE);
    const int r = aec_buffer_encode(&s);
    if (r == AEC_STREAM_ERROR) return kDeclined;  // output full
    if (r == AEC_MEM_ERROR) throw std::bad_alloc();
    if (r != AEC_OK) throw Error(ErrorKind::unsupported, fmt::format("szip: libaec refused the parameters ({})", r));
    return 4 + s.total_out;
  }

  // libsz's padding: every scanline, the last one included, is filled up to
  // whole blocks with copies of its last sample (NN) or with zeros (EC).
  void pad_scanlines(const std::byte* src, std::size_t n, std::byte* dst, const Layout& lay) const {
    static constexpr std::byte kZero[4] = {};
    const bool repeat_last = (flags_ & AEC_DATA_PREPROCESS) != 0;
    for (std::size_t i = 0, j = 0; i < n; j += lay.padded_line) {
      const std::size_t len = std::min(lay.line_bytes, n - i);
      std::memcpy(dst + j, src + i, len);
      i += len;
      const std::byte* pixel = repeat_last ? src + i - sample_bytes_ : kZero;
      for (std::size_t k = len; k < lay.padded_line; k += sample_bytes_) std::memcpy(dst + j + k, pixel, sample_bytes_);
    }
  }

  unsigned ppb_, pps_, rsi_;
  bool interleave_;
  unsigned word_;          // bytes per pixel when coded as byte planes
  unsigned bits_;          // bits per coded sample
  unsigned sample_bytes_;  // bytes per coded sample
  int flags_;
};

}  // namespace

std::unique_ptr<Codec> make_szip(const FilterSpec& spec, std::size_t) {
  const auto& cd = spec.cd_values;
  if (cd.size() != 4)
    throw Error(ErrorKind::unsupported,
                fmt::format("szip: {} parameters, expected 4 (options, pixels per block, bits per pixel, pixels per "
                            "scanline) as HDF5 records them",
                            cd.size()));
  const unsigned mask = cd[0], ppb = cd[1], bpp = cd[2], pps = cd[3];
  if (ppb < 2 || ppb > kMaxPixelsPerBlock || ppb % 2)
    throw Error(ErrorKind::unsupported, fmt::format("szip: {} pixels per block (even, 2-32)", ppb));
  if (bpp == 0 || (bpp > 32 && bpp != 64))
    throw Error(ErrorKind::unsupported, fmt::format("szip: {} bits per pixel (1-32 or 64)", bpp));
  if (pps == 0 || (std::uint64_t{pps} + ppb - 1) / ppb > kMaxBlocksPerScanline)
    throw Error(ErrorKind::unsupported,
                fmt::format("szip: {} pixels per scanline (1 to {} blocks of {})", pps, kMaxBlocksPerScanline, ppb));
  return std::make_unique<Szip>(mask, ppb, bpp, pps);
}

}  // namespace h5dig::codec::detail

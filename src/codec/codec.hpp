// Private interface of the codec layer: one Codec per resolved filter, the
// registry of codec factories, and the per-thread Workspace::State.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"

struct libdeflate_compressor;
struct libdeflate_decompressor;
struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace h5dig::codec {

namespace detail {

class DeflateEncoder;

using Bytes = std::span<const std::byte>;
using MutBytes = std::span<std::byte>;

// How a filter changes the size of the data: the pipeline uses this to know the
// exact size a decoder must produce, and which filters may be skipped on encode.
enum class Kind {
  transform,   // same size out as in (shuffle, bitshuffle without compression)
  checksum,    // adds 4 bytes (fletcher32)
  compressor,  // size changes (deflate, lz4, zstd, blosc, bitshuffle+lz4/zstd)
};

// Reusable growable buffer (never shrinks): scratch space of a Workspace.
struct Buffer {
  std::unique_ptr<std::byte[]> data;
  std::size_t capacity = 0;
  std::byte* reserve(std::size_t n) {
    if (n > capacity) {
      data.reset(new std::byte[n]);
      capacity = n;
    }
    return data.get();
  }
};

[[noreturn]] void fail(const std::string& filter, const std::string& what);

inline std::uint32_t load_be32(const std::byte* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}
inline std::uint64_t load_be64(const std::byte* p) {
  return (std::uint64_t(load_be32(p)) << 32) | load_be32(p + 4);
}
inline void store_be32(std::byte* p, std::uint32_t v) {
  p[0] = std::byte(v >> 24);
  p[1] = std::byte(v >> 16);
  p[2] = std::byte(v >> 8);
  p[3] = std::byte(v);
}
inline void store_be64(std::byte* p, std::uint64_t v) {
  store_be32(p, std::uint32_t(v >> 32));
  store_be32(p + 4, std::uint32_t(v));
}
inline std::uint32_t load_le32(const std::byte* p) {
  return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}
inline void store_le32(std::byte* p, std::uint32_t v) {
  p[0] = std::byte(v);
  p[1] = std::byte(v >> 8);
  p[2] = std::byte(v >> 16);
  p[3] = std::byte(v >> 24);
}

}  // namespace detail

// Per-thread contexts and scratch buffers. Contexts are created on first use.
struct Workspace::State {
  State() = default;
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  libdeflate_decompressor* inflater();
  libdeflate_compressor* deflater(int level);  // level 0..12
  detail::DeflateEncoder& deflate_encoder();   // h5dig's own, for HDF5 level 4 (see deflate.cpp)
  ZSTD_DCtx_s* zstd_dctx();
  ZSTD_CCtx_s* zstd_cctx();

  // Pipeline stages ping-pong between these two.
  detail::Buffer stage[2];
  // Codec-internal scratch (bitshuffle blocks, lz4 state).
  detail::Buffer scratch;
  detail::Buffer scratch2;

 private:
  libdeflate_decompressor* inflater_ = nullptr;
  libdeflate_compressor* deflaters_[13] = {};
  std::unique_ptr<detail::DeflateEncoder> deflate_encoder_;
  ZSTD_DCtx_s* zstd_dctx_ = nullptr;
  ZSTD_CCtx_s* zstd_cctx_ = nullptr;
};

namespace detail {

// One resolved filter: immutable, shared by all threads.
class Codec {
 public:
  virtual ~Codec() = default;
  virtual Kind kind() const noexcept = 0;

  // Decodes `in` into `out`. If `exact`, the decoded size must be out.size();
  // otherwise out.size() is a capacity. Returns the decoded size. Throws
  // Error(corrupt) "NAME: ..." on bad data; never writes past `out`.
  virtual std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State& ws) const = 0;

  // Largest encoded size for `n` input bytes.
  virtual std::size_t encode_bound(std::size_t n) const = 0;

  // Encodes `in` into `out` (out.size() >= encode_bound(in.size())); returns the size.
  virtual std::size_t encode(Bytes in, MutBytes out, Workspace::State& ws) const = 0;

  // Encodes for an optional filter: as encode(), or kDeclined where the
  // writer's own filter gives up on this input (h5py's LZF when the output
  // would not fit in the input's size), so that h5dig skips the filter for
  // exactly the chunks HDF5 skips it for.
  virtual std::size_t encode_optional(Bytes in, MutBytes out, Workspace::State& ws) const {
    return encode(in, out, ws);
  }
};

// encode_optional's answer when the filter gives up on a chunk.
inline constexpr std::size_t kDeclined = static_cast<std::size_t>(-1);

using CodecFactory = std::function<std::unique_ptr<Codec>(const FilterSpec& spec, std::size_t element_size)>;

// Adds (or replaces) the factory for `filter_id`. Thread-safe.
void register_codec(unsigned filter_id, CodecFactory factory);

// Builds the codec for `spec`; throws Error(unsupported) if none is registered.
std::unique_ptr<Codec> make_codec(const FilterSpec& spec, std::size_t element_size);

// Factories of the built-in codecs (one per source file).
std::unique_ptr<Codec> make_deflate(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_shuffle(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_fletcher32(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_lz4(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_zstd(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_blosc(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_bitshuffle(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_szip(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_lzf(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_bzip2(const FilterSpec& spec, std::size_t element_size);
std::unique_ptr<Codec> make_lzo(const FilterSpec& spec, std::size_t element_size);
// Deflate that encodes with zlib's compress2 (the bytes HDF5's own filter
// writes) and decodes with libdeflate: `gzip=N:zlib`.
std::unique_ptr<Codec> make_zlib_deflate(const FilterSpec& spec);

// Kernels, exposed for tests and benchmarks.
void shuffle_bytes(const std::byte* in, std::byte* out, std::size_t nbytes, std::size_t element_size);
void unshuffle_bytes(const std::byte* in, std::byte* out, std::size_t nbytes, std::size_t element_size);
std::uint32_t fletcher32(const std::byte* data, std::size_t nbytes);
// Bitshuffle's transform of one block of n elements (n % 8 == 0); tmp holds n * es bytes.
void bit_transpose(const std::byte* in, std::byte* out, std::size_t n, std::size_t es, std::byte* tmp);
void bit_untranspose(const std::byte* in, std::byte* out, std::size_t n, std::size_t es, std::byte* tmp);
std::size_t bitshuffle_default_block(std::size_t es);

// HDF5 deflate level (1-9, or 10-12 for libdeflate's strongest) -> libdeflate level.
int libdeflate_level_for(unsigned hdf5_level);

}  // namespace detail
}  // namespace h5dig::codec

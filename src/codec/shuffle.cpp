// shuffle (HDF5 filter 2): byte-plane transpose of the chunk's elements, as
// H5Z_filter_shuffle does it: byte j of element i goes to out[j * n + i]; the
// nbytes % element_size trailing bytes are copied unchanged.
#include <fmt/format.h>

#include <cstring>

#include "codec/codec.hpp"
#include "codec/simd.hpp"

namespace h5dig::codec::detail {

namespace {

template <std::size_t ES>
void shuffle_fixed(const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < ES; ++j) out[j * n + i] = in[i * ES + j];
}
template <std::size_t ES>
void unshuffle_fixed(const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < ES; ++j) out[i * ES + j] = in[j * n + i];
}

void shuffle_generic(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
  for (std::size_t j = 0; j < es; ++j) {
    std::uint8_t* o = out + j * n;
    const std::uint8_t* p = in + j;
    for (std::size_t i = 0; i < n; ++i) o[i] = p[i * es];
  }
}
void unshuffle_generic(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
  for (std::size_t j = 0; j < es; ++j) {
    const std::uint8_t* p = in + j * n;
    std::uint8_t* o = out + j;
    for (std::size_t i = 0; i < n; ++i) o[i * es] = p[i];
  }
}

}  // namespace

void shuffle_bytes(const std::byte* inb, std::byte* outb, std::size_t nbytes, std::size_t es) {
  auto* in = reinterpret_cast<const std::uint8_t*>(inb);
  auto* out = reinterpret_cast<std::uint8_t*>(outb);
  const std::size_t n = es > 1 ? nbytes / es : 0;
  if (n <= 1) {  // H5Z_filter_shuffle leaves such chunks unchanged
    if (nbytes) std::memcpy(out, in, nbytes);
    return;
  }
  std::size_t done = simd::shuffle(in, out, n, es);  // elements handled by a vector kernel
  if (done < n) {
    // Finish the tail element by element (planes are n long in the output).
    for (std::size_t j = 0; j < es; ++j)
      for (std::size_t i = done; i < n; ++i) out[j * n + i] = in[i * es + j];
  }
  std::size_t tail = nbytes - n * es;
  if (tail) std::memcpy(out + n * es, in + n * es, tail);
}

void unshuffle_bytes(const std::byte* inb, std::byte* outb, std::size_t nbytes, std::size_t es) {
  auto* in = reinterpret_cast<const std::uint8_t*>(inb);
  auto* out = reinterpret_cast<std::uint8_t*>(outb);
  const std::size_t n = es > 1 ? nbytes / es : 0;
  if (n <= 1) {
    if (nbytes) std::memcpy(out, in, nbytes);
    return;
  }
  std::size_t done = simd::unshuffle(in, out, n, es);
  if (done < n) {
    for (std::size_t j = 0; j < es; ++j)
      for (std::size_t i = done; i < n; ++i) out[i * es + j] = in[j * n + i];
  }
  std::size_t tail = nbytes - n * es;
  if (tail) std::memcpy(out + n * es, in + n * es, tail);
}

namespace simd {

std::size_t shuffle_scalar(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
  switch (es) {
    case 2: shuffle_fixed<2>(in, out, n); break;
    case 4: shuffle_fixed<4>(in, out, n); break;
    case 8: shuffle_fixed<8>(in, out, n); break;
    default: shuffle_generic(in, out, n, es); break;
  }
  return n;
}

std::size_t unshuffle_scalar(const std::uint8_t* in, std::uint8_t* out, std::size_t n, std::size_t es) {
  switch (es) {
    case 2: unshuffle_fixed<2>(in, out, n); break;
    case 4: unshuffle_fixed<4>(in, out, n); break;
    case 8: unshuffle_fixed<8>(in, out, n); break;
    default: unshuffle_generic(in, out, n, es); break;
  }
  return n;
}

}  // namespace simd

namespace {

class Shuffle final : public Codec {
 public:
  explicit Shuffle(std::size_t es) : es_(es) {}
  Kind kind() const noexcept override { return Kind::transform; }

  std::size_t decode(Bytes in, MutBytes out, bool exact, Workspace::State&) const override {
    if (in.size() > out.size() || (exact && in.size() != out.size()))
      fail("shuffle", fmt::format("chunk holds {} bytes, expected {}", in.size(), out.size()));
    unshuffle_bytes(in.data(), out.data(), in.size(), es_);
    return in.size();
  }
  std::size_t encode_bound(std::size_t n) const override { return n; }
  std::size_t encode(Bytes in, MutBytes out, Workspace::State&) const override {
    shuffle_bytes(in.data(), out.data(), in.size(), es_);
    return in.size();
  }

 private:
  std::size_t es_;
};

}  // namespace

std::unique_ptr<Codec> make_shuffle(const FilterSpec& spec, std::size_t element_size) {
  // set_local stores the datatype size in cd_values[0]; a spec built by hand
  // may leave it out, then the dataset's element size applies.
  std::size_t es = (!spec.cd_values.empty() && spec.cd_values[0] != 0) ? spec.cd_values[0] : element_size;
  return std::make_unique<Shuffle>(es);
}

}  // namespace h5dig::codec::detail

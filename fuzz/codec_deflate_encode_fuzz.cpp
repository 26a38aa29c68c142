// libFuzzer target: h5dig's own deflate encoder (HDF5 level 4, deflate_encoder.hpp).
// Input: [chain, nice] + payload. The payload is encoded with those match
// parameters and must come back exactly through zlib's inflate, the decoder
// behind HDF5's deflate filter; the stream must fit the encoder's bound.
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "codec/deflate_encoder.hpp"

using h5dig::codec::detail::DeflateEncoder;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const h5dig::codec::detail::DeflateMatchParams params{data[0] % 40u, data[1] * 2u};
  data += 2;
  size -= 2;
  static thread_local DeflateEncoder enc;
  const std::size_t bound = DeflateEncoder::zlib_bound(size);
  std::vector<std::uint8_t> stream(bound);
  const std::size_t n = enc.compress_zlib(data, size, stream.data(), params);
  if (n + 8 > bound) __builtin_trap();  // the word-wide writer's slack must stay inside the bound
  std::vector<std::uint8_t> back(size + 1);
  uLongf back_size = static_cast<uLongf>(back.size());
  if (uncompress(back.data(), &back_size, stream.data(), static_cast<uLong>(n)) != Z_OK) __builtin_trap();
  if (back_size != size || (size && std::memcmp(back.data(), data, size) != 0)) __builtin_trap();
  return 0;
}

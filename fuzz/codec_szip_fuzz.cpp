// libFuzzer target: the szip decoder (filter 4) on libaec, over its parameters.
// Input: [options, pixels per block, bits per pixel, scanline] + the input of
// fuzz::decode_one. The parameters cover every combination HDF5 can record
// (NN/EC, LSB/MSB, even blocks of 2-32 pixels, 1-24, 32 or 64 bits, scanlines
// padded or not) and some it cannot (25-31 bits, scanlines shorter than a block).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const unsigned mask = 1 | 128 | ((data[0] & 1) ? 32 : 4) | ((data[0] & 2) ? 16 : 8);
  const unsigned ppb = 2 * (1 + data[1] % 16);
  const unsigned bits = data[2] % 33;
  const unsigned bpp = bits == 32 ? 64 : bits + 1;
  const unsigned pps = 1 + data[3] % 4 * 300 + data[3] / 4;
  const std::vector<FilterSpec> filters = {fuzz::spec(kSzipId, {mask, ppb, bpp, pps})};
  return fuzz::decode_one(filters, data + 4, size - 4);
}

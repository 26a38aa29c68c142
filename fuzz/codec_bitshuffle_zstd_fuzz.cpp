// libFuzzer target: bitshuffle + zstd (filter 32008, compression 3).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kBitshuffleId, {0, 4, 0, 0, 3, 1})};
  return fuzz::decode_one(filters, data, size);
}

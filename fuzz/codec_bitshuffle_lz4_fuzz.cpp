// libFuzzer target: bitshuffle + LZ4 (filter 32008, compression 2).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kBitshuffleId, {0, 4, 0, 0, 2})};
  return fuzz::decode_one(filters, data, size);
}

// libFuzzer target: the zstd decoder (filter 32015).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kZstdId, {1})};
  return fuzz::decode_one(filters, data, size);
}

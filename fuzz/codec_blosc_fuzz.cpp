// libFuzzer target: the blosc decoder through libblosc (filter 32001).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kBloscId, {2, 2, 0, 0, 5, 1, 1})};
  return fuzz::decode_one(filters, data, size);
}

// libFuzzer target: the LZO1X decoder (PyTables' filter 305), through liblzo2.
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kLzoId, {1, 11, 4})};
  return fuzz::decode_one(filters, data, size);
}

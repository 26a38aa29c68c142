// libFuzzer target: fletcher32 verification (HDF5 filter 3).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kFletcher32Id)};
  return fuzz::decode_one(filters, data, size);
}

// libFuzzer target: the LZF decoder (h5py's filter 32000), through liblzf.
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kLzfId, {4, 261, 0})};
  return fuzz::decode_one(filters, data, size);
}

// libFuzzer target: the LZ4 decoder with HDF5 framing (filter 32004).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kLz4Id, {0})};
  return fuzz::decode_one(filters, data, size);
}

// libFuzzer target: the deflate decoder (zlib streams, HDF5 filter 1).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kDeflateId, {4})};
  return fuzz::decode_one(filters, data, size);
}

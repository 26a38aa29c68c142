// libFuzzer target: shuffle + deflate + fletcher32, the common h5py pipeline.
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<FilterSpec> filters = {fuzz::spec(kShuffleId), fuzz::spec(kDeflateId, {4}), fuzz::spec(kFletcher32Id)};
  return fuzz::decode_one(filters, data, size);
}

// libFuzzer target: the bzip2 decoder (filter 307: PyTables, HDF Group plugin).
#include "codec_fuzz_common.hpp"

using namespace h5dig::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Block size 1 (100 kB): the encoder's work per input stays small.
  static const std::vector<FilterSpec> filters = {fuzz::spec(kBzip2Id, {1})};
  return fuzz::decode_one(filters, data, size);
}

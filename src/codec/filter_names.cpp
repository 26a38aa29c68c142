#include <string>

#include "h5dig/codec/pipeline.hpp"

namespace h5dig::codec {

std::string filter_name(unsigned filter_id) {
  switch (filter_id) {
    case kDeflateId: return "deflate";
    case kShuffleId: return "shuffle";
    case kFletcher32Id: return "fletcher32";
    case kSzipId: return "szip";
    case kNbitId: return "nbit";
    case kScaleOffsetId: return "scaleoffset";
    case kLzoId: return "lzo";
    case kBzip2Id: return "bzip2";
    case kLzfId: return "lzf";
    case kBloscId: return "blosc";
    case kLz4Id: return "lz4";
    case kBitshuffleId: return "bitshuffle";
    case kZstdId: return "zstd";
    default: return "";
  }
}

}  // namespace h5dig::codec

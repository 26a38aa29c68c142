// h5dig's own deflate encoder (RFC 1951 inside a zlib wrapper, RFC 1950), for
// the one setting where no libdeflate level fits: HDF5's default gzip level 4.
//
// Why it exists: HDF5 level 4 means zlib's level 4, a lazy matcher. Debian 12's
// libdeflate 1.14 offers greedy matchers at its levels 2-4 and a much slower lazy
// one at 5: on raw (unshuffled) detector frames its level 2 is 5.1% larger than
// zlib-4 and level 3 is under twice zlib's speed (table in docs/codecs.md). This
// encoder is a lazy matcher like zlib's, with a shorter chain and a word-at-a-time
// inner loop, Huffman blocks chosen by exact cost (dynamic, fixed or stored).
// Decoding stays libdeflate's: the streams are ordinary deflate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace h5dig::codec::detail {

// How hard the matcher looks (the names are zlib's).
struct DeflateMatchParams {
  unsigned max_chain;  // candidates examined per position
  unsigned nice_len;   // stop searching once a match this long is found
};

// The HDF5 deflate level h5dig encodes itself: the default (h5py's
// compression='gzip', most files' choice), and the level where no libdeflate
// level fits. Other levels go to libdeflate (deflate.cpp).
inline constexpr unsigned kOwnEncoderLevel = 4;
// Chain 6 and nice length 16: among the settings whose output stays within 5% of
// zlib level 4 on raw detector frames (+3.7%), shuffled frames (-0.9%) and text
// (+1.4%), the fastest on text, the slowest case (`h5dig bench codecs --levels`,
// docs/codecs.md).
inline constexpr DeflateMatchParams kOwnEncoderParams{6, 16};

// Holds the hash chains and the pending block (about 200 KiB), reused from
// chunk to chunk: one per thread, like a libdeflate compressor.
class DeflateEncoder {
 public:
  DeflateEncoder();
  ~DeflateEncoder();
  DeflateEncoder(const DeflateEncoder&) = delete;
  DeflateEncoder& operator=(const DeflateEncoder&) = delete;

  // Largest zlib stream compress_zlib() can write for n input bytes, including the
  // 8 bytes of slack its word-wide bit writer may touch past the end of the stream.
  static std::size_t zlib_bound(std::size_t n);

  // Compresses in[0, n) into one zlib stream at out, which has room for
  // zlib_bound(n) bytes; returns the stream's size. The output depends only on
  // the input and the parameters.
  std::size_t compress_zlib(const std::uint8_t* in, std::size_t n, std::uint8_t* out, DeflateMatchParams params);

  struct Tables;  // defined in the .cpp

 private:
  std::unique_ptr<Tables> t_;
};

// Code lengths of a Huffman code over freq[0, n) (n <= 286, each freq < 2^23), none
// longer than max_bits. At least two symbols get a code, as deflate decoders
// expect of a block's codes. Exposed for tests.
void huffman_code_lengths(const std::uint32_t* freq, unsigned n, unsigned max_bits, std::uint8_t* lens);

}  // namespace h5dig::codec::detail

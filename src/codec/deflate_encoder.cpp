// h5dig's deflate encoder: a greedy matcher over 4-byte hash chains, and
// Huffman blocks whose type (dynamic, fixed, stored) is chosen by exact cost.
// See deflate_encoder.hpp for why it exists.
#include "codec/deflate_encoder.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace h5dig::codec::detail {

namespace {

constexpr unsigned kMinMatch = 3;
constexpr unsigned kMaxMatch = 258;
constexpr std::size_t kWindow = 32768;  // deflate's largest distance
constexpr std::size_t kWindowMask = kWindow - 1;
constexpr unsigned kHashBits = 15;
// Matches longer than this enter every other position into the chains.
constexpr unsigned kDenseInsertMax = 16;
// Sequences (literals or matches) per Huffman block: zlib's 16K at memLevel 8.
constexpr std::size_t kBlockSequences = 16384;

constexpr unsigned kNumLitLen = 286;  // 0-255 literals, 256 end of block, 257-285 lengths
constexpr unsigned kNumDist = 30;
constexpr unsigned kNumCodeLen = 19;
constexpr unsigned kEndOfBlock = 256;
constexpr unsigned kMaxCodeBits = 15;
constexpr unsigned kMaxCodeLenBits = 7;
constexpr std::uint8_t kCodeLenOrder[kNumCodeLen] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

constexpr std::uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                        31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                        2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

// Match length (3-258) -> index of its length code (0-28, symbol 257 + index).
constexpr std::array<std::uint8_t, kMaxMatch + 1> make_length_index() {
  std::array<std::uint8_t, kMaxMatch + 1> t{};
  for (unsigned code = 0; code < 29; ++code) {
    unsigned end = code + 1 < 29 ? kLenBase[code + 1] : kMaxMatch + 1;
    for (unsigned len = kLenBase[code]; len < end && len <= kMaxMatch; ++len) t[len] = std::uint8_t(code);
  }
  t[kMaxMatch] = 28;  // 258 has its own code; 227 + 31 would also reach it
  return t;
}
constexpr auto kLengthIndex = make_length_index();

// Distance 1-32768 -> distance code 0-29, extra bits and their value.
struct DistCode {
  unsigned symbol, extra_bits, extra_value;
};
inline DistCode dist_code(std::uint32_t dist) {
  std::uint32_t d = dist - 1;
  if (d < 4) return {d, 0, 0};
  unsigned b = std::bit_width(d) - 1;  // floor(log2 d) >= 2
  return {2 * b + ((d >> (b - 1)) & 1), b - 1, d & ((1u << (b - 1)) - 1)};
}
constexpr unsigned dist_extra_bits(unsigned symbol) { return symbol < 4 ? 0 : symbol / 2 - 1; }

inline std::uint32_t load32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void store64(std::uint8_t* p, std::uint64_t v) { std::memcpy(p, &v, 8); }

// Chains link positions whose next 4 bytes hash alike. With zlib's 3-byte hash
// a short chain fills with 3-byte matches that go no further; 4 bytes keep the
// few candidates a fast level can afford to those likely to be long (measured:
// smaller output on detector frames and text at the same chain length).
inline std::uint32_t hash4_of(std::uint32_t four_bytes) { return (four_bytes * 0x9E3779B1u) >> (32 - kHashBits); }
inline std::uint32_t hash4(const std::uint8_t* p) { return hash4_of(load32(p)); }

// Length of the common prefix of a and b, at most max_len; both readable for max_len bytes.
inline unsigned match_length(const std::uint8_t* a, const std::uint8_t* b, unsigned max_len) {
  unsigned len = 0;
  while (len + 8 <= max_len) {
    std::uint64_t x = load64(a + len) ^ load64(b + len);
    if (x) return len + unsigned(std::countr_zero(x)) / 8;
    len += 8;
  }
  while (len < max_len && a[len] == b[len]) ++len;
  return len;
}

// LSB-first bit writer. put() adds up to 56 bits after a flush(); flush() stores a
// whole 64-bit word and advances by the complete bytes, so the output buffer needs
// 8 bytes of slack past the stream's end.
struct BitWriter {
  std::uint8_t* out;
  std::uint64_t bits = 0;
  unsigned count = 0;

  void put(std::uint64_t v, unsigned n) {
    bits |= v << count;
    count += n;
  }
  void flush() {
    store64(out, bits);
    out += count >> 3;
    bits >>= count & ~7u;
    count &= 7;
  }
  void align_to_byte() {
    if (count & 7) put(0, 8 - (count & 7));
    flush();
  }
};

}  // namespace

// Huffman's construction (two queues over the sorted leaves), then lengths beyond
// max_bits are clamped and the Kraft sum repaired by lengthening the deepest
// shorter codes; the lengths are then dealt out by frequency.
void huffman_code_lengths(const std::uint32_t* freq, unsigned n, unsigned max_bits, std::uint8_t* lens) {
  std::uint32_t keys[kNumLitLen];  // freq << 9 | symbol (block frequencies stay below 2^23)
  unsigned used = 0;
  for (unsigned s = 0; s < n; ++s) {
    lens[s] = 0;
    if (freq[s]) keys[used++] = (freq[s] << 9) | s;
  }
  if (used < 2) {
    unsigned a = used ? (keys[0] & 511) : 0;
    lens[a] = 1;
    lens[a == 0 ? 1 : 0] = 1;
    return;
  }
  std::sort(keys, keys + used);

  std::uint32_t weight[2 * kNumLitLen];
  std::uint16_t parent[2 * kNumLitLen];
  for (unsigned i = 0; i < used; ++i) weight[i] = keys[i] >> 9;
  unsigned leaf = 0, inner = used, next = used;
  auto take = [&]() -> unsigned {
    if (leaf < used && (inner >= next || weight[leaf] <= weight[inner])) return leaf++;
    return inner++;
  };
  for (unsigned k = 0; k + 1 < used; ++k) {
    unsigned a = take(), b = take();
    weight[next] = weight[a] + weight[b];
    parent[a] = parent[b] = std::uint16_t(next);
    ++next;
  }
  // Depths, root (next - 1) first: every parent has a larger index than its children.
  std::uint8_t depth[2 * kNumLitLen];
  depth[next - 1] = 0;
  unsigned count_at[33] = {};
  for (unsigned i = next - 1; i-- > 0;) {
    depth[i] = std::uint8_t(depth[parent[i]] + 1);
    if (i < used) ++count_at[std::min<unsigned>(depth[i], max_bits)];
  }
  std::uint32_t kraft = 0;
  for (unsigned b = 1; b <= max_bits; ++b) kraft += count_at[b] << (max_bits - b);
  while (kraft > (1u << max_bits)) {
    --count_at[max_bits];
    for (unsigned b = max_bits - 1; b > 0; --b)
      if (count_at[b]) {
        --count_at[b];
        count_at[b + 1] += 2;
        break;
      }
    --kraft;
  }
  unsigned j = 0;  // least frequent first: longest codes
  for (unsigned b = max_bits; b >= 1; --b)
    for (unsigned k = 0; k < count_at[b]; ++k) lens[keys[j++] & 511] = std::uint8_t(b);
}

namespace {

// Canonical codes for the lengths, bit-reversed for the LSB-first writer.
void build_codes(const std::uint8_t* lens, unsigned n, std::uint16_t* codes) {
  unsigned count_at[kMaxCodeBits + 1] = {};
  for (unsigned s = 0; s < n; ++s) ++count_at[lens[s]];
  count_at[0] = 0;
  unsigned next[kMaxCodeBits + 1] = {};
  unsigned code = 0;
  for (unsigned b = 1; b <= kMaxCodeBits; ++b) {
    code = (code + count_at[b - 1]) << 1;
    next[b] = code;
  }
  for (unsigned s = 0; s < n; ++s) {
    unsigned len = lens[s];
    if (!len) continue;
    unsigned c = next[len]++, r = 0;
    for (unsigned i = 0; i < len; ++i) r |= ((c >> i) & 1) << (len - 1 - i);
    codes[s] = std::uint16_t(r);
  }
}

// Room for the fixed code's 288 literal/length symbols: 286 and 287 never occur
// but take part in its canonical numbering.
constexpr unsigned kNumFixedLitLen = 288;
struct HuffmanCode {
  std::uint8_t lens[kNumFixedLitLen];
  std::uint16_t codes[kNumFixedLitLen];
};

}  // namespace

struct DeflateEncoder::Tables {
  std::uint16_t head[1u << kHashBits];  // newest position with this hash, modulo 65536
  std::uint16_t prev[kWindow];          // the position before it in the chain, modulo 65536
  std::uint32_t sequences[kBlockSequences];  // dist << 16 | length, or a literal byte (dist 0)
  std::size_t num_sequences = 0;
  std::uint32_t litlen_freq[kNumLitLen];
  std::uint32_t dist_freq[kNumDist];
  HuffmanCode litlen, dist;

  void reset_block() {
    num_sequences = 0;
    std::memset(litlen_freq, 0, sizeof litlen_freq);
    std::memset(dist_freq, 0, sizeof dist_freq);
  }
  void literal(std::uint8_t c) {
    sequences[num_sequences++] = c;
    ++litlen_freq[c];
  }
  void match(unsigned len, std::uint32_t dist) {
    sequences[num_sequences++] = (dist << 16) | len;
    ++litlen_freq[257 + kLengthIndex[len]];
    ++dist_freq[dist_code(dist).symbol];
  }
};

namespace {

using Tables = DeflateEncoder::Tables;

// Bits of the block's sequences (and end of block) under the given codes.
std::uint64_t data_bits(const Tables& t, const std::uint8_t* ll_lens, const std::uint8_t* d_lens) {
  std::uint64_t bits = 0;
  for (unsigned s = 0; s < kNumLitLen; ++s) bits += std::uint64_t(t.litlen_freq[s]) * ll_lens[s];
  for (unsigned i = 0; i < 29; ++i) bits += std::uint64_t(t.litlen_freq[257 + i]) * kLenExtra[i];
  for (unsigned s = 0; s < kNumDist; ++s) bits += std::uint64_t(t.dist_freq[s]) * (d_lens[s] + dist_extra_bits(s));
  return bits;
}

void write_sequences(BitWriter& w, const Tables& t, const HuffmanCode& ll, const HuffmanCode& d) {
  for (std::size_t i = 0; i < t.num_sequences; ++i) {
    std::uint32_t seq = t.sequences[i];
    std::uint32_t dist = seq >> 16;
    if (dist == 0) {
      // Up to three literals (15 bits each at most) between flushes.
      w.put(ll.codes[seq], ll.lens[seq]);
      if (i + 1 < t.num_sequences && (t.sequences[i + 1] >> 16) == 0) {
        seq = t.sequences[++i];
        w.put(ll.codes[seq], ll.lens[seq]);
        if (i + 1 < t.num_sequences && (t.sequences[i + 1] >> 16) == 0) {
          seq = t.sequences[++i];
          w.put(ll.codes[seq], ll.lens[seq]);
        }
      }
    } else {
      // A match: length code, its extra bits, distance code, its extra bits:
      // at most 15 + 5 + 15 + 13 bits, gathered into one word.
      const unsigned len = seq & 0xFFFF, li = kLengthIndex[len];
      const DistCode dc = dist_code(dist);
      std::uint64_t v = ll.codes[257 + li];
      unsigned n = ll.lens[257 + li];
      v |= std::uint64_t(len - kLenBase[li]) << n;
      n += kLenExtra[li];
      v |= std::uint64_t(d.codes[dc.symbol]) << n;
      n += d.lens[dc.symbol];
      v |= std::uint64_t(dc.extra_value) << n;
      n += dc.extra_bits;
      w.put(v, n);
    }
    w.flush();
  }
  w.put(ll.codes[kEndOfBlock], ll.lens[kEndOfBlock]);
  w.flush();
}

const HuffmanCode& fixed_litlen() {
  static const HuffmanCode code = [] {
    HuffmanCode c{};
    for (unsigned s = 0; s < kNumFixedLitLen; ++s) c.lens[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    build_codes(c.lens, kNumFixedLitLen, c.codes);
    return c;
  }();
  return code;
}
const HuffmanCode& fixed_dist() {
  static const HuffmanCode code = [] {
    HuffmanCode c{};
    for (unsigned s = 0; s < kNumDist; ++s) c.lens[s] = 5;
    build_codes(c.lens, kNumDist, c.codes);
    return c;
  }();
  return code;
}

// The code-length sequence of a dynamic header, run-length coded with symbols 16-18.
struct CodeLengthItems {
  std::uint8_t symbol[kNumLitLen + kNumDist];
  std::uint8_t extra[kNumLitLen + kNumDist];
  unsigned count = 0;
  void add(unsigned s, unsigned x = 0) {
    symbol[count] = std::uint8_t(s);
    extra[count++] = std::uint8_t(x);
  }
};

void run_length_code(const std::uint8_t* lens, unsigned n, CodeLengthItems& items) {
  for (unsigned i = 0; i < n;) {
    unsigned len = lens[i], run = 1;
    while (i + run < n && lens[i + run] == len) ++run;
    i += run;
    if (len == 0) {
      while (run >= 11) {
        unsigned r = std::min(run, 138u);
        items.add(18, r - 11);
        run -= r;
      }
      if (run >= 3) {
        items.add(17, run - 3);
        run = 0;
      }
    } else {
      items.add(len);
      --run;
      while (run >= 3) {
        unsigned r = std::min(run, 6u);
        items.add(16, r - 3);
        run -= r;
      }
    }
    while (run--) items.add(len);
  }
}

constexpr unsigned kCodeLenExtraBits[kNumCodeLen] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7};

// Writes the pending sequences as one block, dynamic, fixed or stored, whichever
// is smallest; `raw` is the input the sequences cover (for a stored block).
void write_block(BitWriter& w, Tables& t, const std::uint8_t* raw, std::size_t raw_len, bool final) {
  t.litlen_freq[kEndOfBlock] = 1;
  huffman_code_lengths(t.litlen_freq, kNumLitLen, kMaxCodeBits, t.litlen.lens);
  huffman_code_lengths(t.dist_freq, kNumDist, kMaxCodeBits, t.dist.lens);
  unsigned hlit = kNumLitLen, hdist = kNumDist;
  while (hlit > 257 && t.litlen.lens[hlit - 1] == 0) --hlit;
  while (hdist > 1 && t.dist.lens[hdist - 1] == 0) --hdist;

  std::uint8_t all_lens[kNumLitLen + kNumDist];
  std::memcpy(all_lens, t.litlen.lens, hlit);
  std::memcpy(all_lens + hlit, t.dist.lens, hdist);
  CodeLengthItems items;
  run_length_code(all_lens, hlit + hdist, items);
  std::uint32_t cl_freq[kNumCodeLen] = {};
  for (unsigned i = 0; i < items.count; ++i) ++cl_freq[items.symbol[i]];
  HuffmanCode cl;
  huffman_code_lengths(cl_freq, kNumCodeLen, kMaxCodeLenBits, cl.lens);
  build_codes(cl.lens, kNumCodeLen, cl.codes);
  unsigned hclen = kNumCodeLen;
  while (hclen > 4 && cl.lens[kCodeLenOrder[hclen - 1]] == 0) --hclen;

  std::uint64_t dynamic_bits = 3 + 5 + 5 + 4 + 3 * hclen + data_bits(t, t.litlen.lens, t.dist.lens);
  for (unsigned i = 0; i < items.count; ++i)
    dynamic_bits += cl.lens[items.symbol[i]] + kCodeLenExtraBits[items.symbol[i]];
  std::uint64_t fixed_bits = 3 + data_bits(t, fixed_litlen().lens, fixed_dist().lens);
  // Stored: each piece of up to 65535 bytes costs a header, padding to a byte and LEN/NLEN.
  std::uint64_t stored_bits = 8 * (raw_len + 5 * (raw_len / 65535 + 1)) + 7;

  if (stored_bits < dynamic_bits && stored_bits < fixed_bits) {
    std::size_t done = 0;
    do {
      std::size_t piece = std::min<std::size_t>(raw_len - done, 65535);
      bool last = done + piece == raw_len;
      w.put(final && last ? 1 : 0, 1);
      w.put(0, 2);
      w.align_to_byte();
      w.put(piece | ((~piece & 0xFFFFu) << 16), 32);
      w.flush();
      std::memcpy(w.out, raw + done, piece);
      w.out += piece;
      done += piece;
    } while (done < raw_len);
  } else if (fixed_bits <= dynamic_bits) {
    w.put(final ? 1 : 0, 1);
    w.put(1, 2);
    write_sequences(w, t, fixed_litlen(), fixed_dist());
  } else {
    build_codes(t.litlen.lens, kNumLitLen, t.litlen.codes);
    build_codes(t.dist.lens, kNumDist, t.dist.codes);
    w.put(final ? 1 : 0, 1);
    w.put(2, 2);
    w.put(hlit - 257, 5);
    w.put(hdist - 1, 5);
    w.put(hclen - 4, 4);
    w.flush();
    for (unsigned i = 0; i < hclen; ++i) {
      w.put(cl.lens[kCodeLenOrder[i]], 3);
      w.flush();
    }
    for (unsigned i = 0; i < items.count; ++i) {
      unsigned s = items.symbol[i];
      w.put(cl.codes[s], cl.lens[s]);
      w.put(items.extra[i], kCodeLenExtraBits[s]);
      w.flush();
    }
    write_sequences(w, t, t.litlen, t.dist);
  }
  t.reset_block();
}

}  // namespace

DeflateEncoder::DeflateEncoder() : t_(std::make_unique<Tables>()) {}
DeflateEncoder::~DeflateEncoder() = default;

std::size_t DeflateEncoder::zlib_bound(std::size_t n) {
  // Every block is at most its stored form: the bytes, 5 per 65535-byte piece,
  // one byte of header and padding per block; a block covers at least
  // kBlockSequences - 3 bytes unless it is the last. Plus the 2-byte zlib header,
  // the 4-byte Adler-32, an empty final block (2 bytes), the final padding byte
  // and 8 bytes of slack.
  return n + 5 * (n / 65535 + 1) + 6 * (n / (kBlockSequences - 3) + 2) + 2 + 4 + 2 + 1 + 8;
}

std::size_t DeflateEncoder::compress_zlib(const std::uint8_t* in, std::size_t n, std::uint8_t* out,
                                          DeflateMatchParams params) {
  Tables& t = *t_;
  BitWriter w{out};
  w.put(0x78, 8);  // CMF: deflate, 32 KiB window
  w.put(0x5E, 8);  // FLG: "default" level class (as zlib at levels 2-5), check bits
  w.flush();

  // Only head needs clearing: every chain starts there, and prev slots are
  // written before a chain can reach them. Cleared, the output depends only on
  // the input.
  std::memset(t.head, 0, sizeof t.head);
  t.reset_block();
  const std::uint8_t* block_start = in;  // input covered by the pending block starts here
  const unsigned max_chain = std::max(params.max_chain, 1u), nice_len = std::max(params.nice_len, kMinMatch + 1);

  auto insert_hashed = [&](std::uint32_t h, std::size_t p) {
    t.prev[p & kWindowMask] = t.head[h];
    t.head[h] = std::uint16_t(p);
  };

  // Greedy parsing: take the longest match found at each position. (zlib's lazy
  // step, trying one byte further, made detector frames larger: a match moved
  // by one byte falls out of step with the 2-byte elements.)
  std::size_t pos = 0;
  while (n - pos >= 4) {  // a match needs 4 bytes to hash
    const std::uint8_t* cur = in + pos;
    const std::uint32_t h = hash4(cur);
    // Table entries are positions modulo 65536: a stale or aliased entry only
    // yields a wrong candidate, which the byte comparison rejects. Distances
    // must be 1..min(pos, 32768).
    const std::uint32_t reach = std::uint32_t(std::min<std::size_t>(pos, kWindow));
    const unsigned max_len = unsigned(std::min<std::size_t>(kMaxMatch, n - pos));
    const unsigned nice = std::min(nice_len, max_len);
    unsigned best = kMinMatch;  // matches of 4 bytes and more (hash4 finds no others)
    std::uint32_t best_dist = 0;
    std::uint32_t dist = std::uint16_t(pos - t.head[h]);
    for (unsigned chain = max_chain; dist - 1 < reach;) {
      const std::uint8_t* m = cur - dist;
      // Cheap rejections first: a longer match agrees on the 4 bytes ending one
      // past `best`, and on the first 4.
      if (load32(m + best - 3) == load32(cur + best - 3) && load32(m) == load32(cur)) {
        const unsigned len = match_length(m, cur, max_len);
        if (len > best) {
          best = len;
          best_dist = dist;
          if (len >= nice) break;
        }
      }
      if (--chain == 0) break;
      const std::size_t cand = pos - dist;
      const std::uint32_t step = std::uint16_t(cand - t.prev[cand & kWindowMask]);
      if (step == 0) break;
      dist += step;
    }
    insert_hashed(h, pos);

    if (best_dist) {
      t.match(best, best_dist);
      const std::size_t match_end = pos + best;
      // Enter the match's positions into the chains, so that later matches can
      // start inside it. In a match longer than kDenseInsertMax (text, mostly),
      // every other position and the last three: text comes out 0.8% larger and
      // encodes about 8% faster (docs/codecs.md).
      const std::size_t end_insert = std::min(match_end, n - 3);  // hash4 reads 4 bytes
      std::size_t p = pos + 1;
      if (best > kDenseInsertMax) {
        const std::size_t tail = end_insert - 3;  // end_insert >= pos + 14 here
        for (; p + 8 <= tail; p += 4) {  // two hashes from one 8-byte load
          const std::uint64_t x = load64(in + p);
          insert_hashed(hash4_of(std::uint32_t(x)), p);
          insert_hashed(hash4_of(std::uint32_t(x >> 16)), p + 2);
        }
        for (; p < tail; p += 2) insert_hashed(hash4(in + p), p);
        p = std::max(p, tail);
      }
      for (; p + 8 <= end_insert; p += 4) {  // four hashes from one 8-byte load
        const std::uint64_t x = load64(in + p);
        for (unsigned k = 0; k < 4; ++k) insert_hashed(hash4_of(std::uint32_t(x >> (8 * k))), p + k);
      }
      for (; p < end_insert; ++p) insert_hashed(hash4(in + p), p);
      pos = match_end;
    } else {
      t.literal(*cur);
      ++pos;
    }
    if (t.num_sequences >= kBlockSequences - 3) {  // room left for the last 3 literals below
      write_block(w, t, block_start, std::size_t(in + pos - block_start), false);
      block_start = in + pos;
    }
  }
  while (pos < n) t.literal(in[pos++]);  // the last bytes, too few to hash
  // The final block; with no sequences left it is an empty fixed block (10 bits).
  write_block(w, t, block_start, std::size_t(in + n - block_start), true);
  w.align_to_byte();
  std::uint32_t adler = libdeflate_adler32(1, in, n);
  for (int shift = 24; shift >= 0; shift -= 8) *w.out++ = std::uint8_t(adler >> shift);
  return std::size_t(w.out - out);
}

}  // namespace h5dig::codec::detail

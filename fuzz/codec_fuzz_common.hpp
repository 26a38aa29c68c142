// Shared driver of the codec fuzz targets (see decode_one for the input
// layout). h5dig::Error is the expected outcome of bad input; crashes, overruns
// (ASan), undefined behaviour (UBSan), allocations over -rss_limit_mb and a
// decode that does not round-trip are the bugs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"

namespace h5dig::codec::fuzz {

inline void check_round_trip(const Pipeline& p, std::span<const std::byte> raw, Workspace& ws) {
  auto enc = p.encode(raw, ws);
  std::vector<std::byte> back(raw.size());
  p.decode(enc.bytes, back, enc.filter_mask, ws);
  if (!raw.empty() && std::memcmp(back.data(), raw.data(), raw.size()) != 0) __builtin_trap();
}

// Input: [hi, lo, mode|es] + payload.
//   mode 0-1: payload is a stored chunk; decode into (hi<<8|lo) bytes, and if
//             that succeeds, the result must round-trip through encode.
//   mode 2:   payload is raw data: encode it, flip one bit at position (hi<<8|lo),
//             decode (reaches deep into valid streams without a corpus).
//   mode 3:   as 2, but cut the encoded chunk at that position.
inline int decode_one(const std::vector<FilterSpec>& filters, const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t pos = (std::size_t(data[0]) << 8) | data[1];
  static const std::size_t kSizes[] = {1, 2, 4, 8, 3, 16, 1, 2};
  const std::size_t es = kSizes[data[2] & 7];
  const unsigned mode = data[2] >> 6;
  const auto* payload = reinterpret_cast<const std::byte*>(data + 3);
  size -= 3;
  static thread_local Workspace ws;
  try {
    Pipeline p(filters, es);
    if (mode < 2) {
      std::vector<std::byte> out(pos);
      p.decode({payload, size}, out, 0, ws);
      check_round_trip(p, out, ws);
      return 0;
    }
    std::span<const std::byte> raw(payload, size / es * es);
    auto enc = p.encode(raw, ws);
    std::vector<std::byte> stored(enc.bytes.begin(), enc.bytes.end());
    if (stored.empty()) return 0;
    if (mode == 2)
      stored[pos % stored.size()] ^= std::byte(1u << (data[1] & 7));
    else
      stored.resize(pos % stored.size());
    std::vector<std::byte> out(raw.size());
    p.decode(stored, out, enc.filter_mask, ws);
  } catch (const Error&) {
  }
  return 0;
}

inline FilterSpec spec(unsigned id, std::vector<unsigned> cd = {}) {
  FilterSpec s;
  s.id = id;
  s.cd_values = std::move(cd);
  return s;
}

}  // namespace h5dig::codec::fuzz

#include "encode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "entities.hpp"
#include "h5dig/inspect/json_values.hpp"

namespace h5dig::serve {

using h5::TypeDesc;

namespace {

std::uint64_t product(std::span<const std::uint64_t> v) {
  std::uint64_t n = 1;
  for (auto x : v) n *= x;
  return n;
}

// A float of `t` at `p` (any byte order; half, single, double, x87 long double).
double load_float(const TypeDesc& t, const std::byte* p) {
  std::byte b[16];
  const std::size_t n = std::min<std::size_t>(t.size, sizeof b);
  if (t.order == h5::ByteOrder::big) {
    for (std::size_t i = 0; i < n; ++i) b[i] = p[n - 1 - i];
  } else {
    std::memcpy(b, p, n);
  }
  switch (t.size) {
    case 2: {
      std::uint16_t h;
      std::memcpy(&h, b, 2);
      return inspect::half_to_float(h);
    }
    case 4: {
      float f;
      std::memcpy(&f, b, 4);
      return f;
    }
    case 8: {
      double d;
      std::memcpy(&d, b, 8);
      return d;
    }
    default:
      if (t.size == sizeof(long double)) {
        long double v;
        std::memcpy(&v, b, sizeof v);
        return static_cast<double>(v);
      }
      return std::numeric_limits<double>::quiet_NaN();
  }
}

void convert_element(const TypeDesc& from, const TypeDesc& to, const std::byte* in, std::byte* out) {
  switch (from.kind) {
    case TypeDesc::Kind::integer:
    case TypeDesc::Kind::bitfield:
      if (from.order == h5::ByteOrder::big) {
        for (std::size_t i = 0; i < from.size; ++i) out[i] = in[from.size - 1 - i];
      } else {
        std::memcpy(out, in, from.size);
      }
      return;
    case TypeDesc::Kind::floating: {
      const double v = load_float(from, in);
      if (to.size == 4) {
        const auto f = static_cast<float>(v);
        std::memcpy(out, &f, 4);
      } else {
        std::memcpy(out, &v, 8);
      }
      return;
    }
    case TypeDesc::Kind::enumeration:
      return convert_element(from.super[0], to.super[0], in, out);
    case TypeDesc::Kind::compound:
      for (std::size_t i = 0; i < from.members.size(); ++i) {
        convert_element(from.members[i].type, to.members[i].type, in + from.members[i].offset,
                        out + to.members[i].offset);
      }
      return;
    case TypeDesc::Kind::array: {
      const std::uint64_t n = product(from.dims);
      for (std::uint64_t i = 0; i < n; ++i) {
        convert_element(from.super[0], to.super[0], in + i * from.super[0].size, out + i * to.super[0].size);
      }
      return;
    }
    default:
      std::memcpy(out, in, std::min(from.size, to.size));
  }
}

template <typename T>
void append_number(std::string& out, T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(v)) {
      out += "nan";
      return;
    }
    if (std::isinf(v)) {
      out += v < 0 ? "-inf" : "inf";
      return;
    }
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Calls fn(value) with the element at `p` as its C++ type (little-endian,
// after safe conversion).
template <typename Fn>
auto visit_real(const TypeDesc& t, const std::byte* p, Fn&& fn) {
  const TypeDesc& leaf = t.kind == TypeDesc::Kind::enumeration ? t.super[0] : t;
  auto get = [p](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  if (leaf.kind == TypeDesc::Kind::floating) {
    return leaf.size == 4 ? fn(get(float{})) : fn(get(double{}));
  }
  const bool s = leaf.sign == h5::Sign::twos_complement;
  switch (leaf.size) {
    case 1: return s ? fn(get(std::int8_t{})) : fn(get(std::uint8_t{}));
    case 2: return s ? fn(get(std::int16_t{})) : fn(get(std::uint16_t{}));
    case 4: return s ? fn(get(std::int32_t{})) : fn(get(std::uint32_t{}));
    default: return s ? fn(get(std::int64_t{})) : fn(get(std::uint64_t{}));
  }
}

template <typename T>
void put(std::string& s, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof v);
  s.append(b, sizeof v);
}

}  // namespace

bool is_numeric(const TypeDesc& t) {
  switch (t.kind) {
    case TypeDesc::Kind::integer:
    case TypeDesc::Kind::bitfield:
      return t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8;
    case TypeDesc::Kind::floating:
      return t.size == 2 || t.size == 4 || t.size == 8 || t.size == sizeof(long double);
    case TypeDesc::Kind::enumeration:
      return !t.super.empty() && is_numeric(t.super[0]);
    case TypeDesc::Kind::compound:
      return is_complex(t) && is_numeric(t.members[0].type);
    case TypeDesc::Kind::array:
      return !t.super.empty() && is_numeric(t.super[0]);
    default:
      return false;
  }
}

bool is_real(const TypeDesc& t) {
  return is_numeric(t) && t.kind != TypeDesc::Kind::compound && t.kind != TypeDesc::Kind::array;
}

bool has_variable_length(const TypeDesc& t) {
  if (t.kind == TypeDesc::Kind::vlen || t.kind == TypeDesc::Kind::reference) return true;
  if (t.kind == TypeDesc::Kind::string) return t.variable;
  for (const auto& m : t.members) {
    if (has_variable_length(m.type)) return true;
  }
  for (const auto& s : t.super) {
    if (has_variable_length(s)) return true;
  }
  return false;
}

TypeDesc safe_type(const TypeDesc& t) {
  TypeDesc s = t;
  switch (t.kind) {
    case TypeDesc::Kind::integer:
    case TypeDesc::Kind::bitfield:
      s.order = h5::ByteOrder::little;
      break;
    case TypeDesc::Kind::floating:
      s.order = h5::ByteOrder::little;
      s.size = t.size <= 4 ? 4 : 8;
      break;
    case TypeDesc::Kind::enumeration:
      s.super[0] = safe_type(t.super[0]);
      break;
    case TypeDesc::Kind::compound:
      for (std::size_t i = 0, offset = 0; i < s.members.size(); ++i) {
        s.members[i].type = safe_type(t.members[i].type);
        s.members[i].offset = offset;
        offset += s.members[i].type.size;
        s.size = offset;
      }
      break;
    case TypeDesc::Kind::array:
      s.super[0] = safe_type(t.super[0]);
      s.size = product(t.dims) * s.super[0].size;
      break;
    default:
      break;
  }
  return s;
}

bool needs_conversion(const TypeDesc& t) {
  switch (t.kind) {
    case TypeDesc::Kind::integer:
    case TypeDesc::Kind::bitfield:
      return t.size > 1 && t.order == h5::ByteOrder::big;
    case TypeDesc::Kind::floating:
      return t.order == h5::ByteOrder::big || (t.size != 4 && t.size != 8);
    case TypeDesc::Kind::enumeration:
    case TypeDesc::Kind::array:
      return needs_conversion(t.super[0]);
    case TypeDesc::Kind::compound:
      return std::any_of(t.members.begin(), t.members.end(), [](const auto& m) { return needs_conversion(m.type); });
    default:
      return false;
  }
}

std::vector<std::byte> convert(const TypeDesc& from, const TypeDesc& to, std::span<const std::byte> in,
                               std::uint64_t count) {
  std::vector<std::byte> out(count * to.size);
  for (std::uint64_t i = 0; i < count; ++i) convert_element(from, to, in.data() + i * from.size, out.data() + i * to.size);
  return out;
}

std::string npy(const std::string& descr, std::span<const std::uint64_t> shape, std::span<const std::byte> data) {
  std::string dims;
  for (auto d : shape) dims += fmt::format("{}, ", d);
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // (3,) keeps its comma, (2, 3) does not end with one
  if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
  // magic(6) + version(2) + length(2) + header + '\n', padded to 64 bytes.
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  put(out, static_cast<std::uint16_t>(header.size()));
  out += header;
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  return out;
}

std::string csv(const TypeDesc& type, std::span<const std::uint64_t> shape, std::span<const std::byte> data) {
  const std::uint64_t rows = shape.empty() ? 0 : shape[0];
  const std::uint64_t cols = shape.size() == 2 ? shape[1] : 1;
  std::string out;
  out.reserve(static_cast<std::size_t>(rows * cols * 8));
  for (std::uint64_t r = 0; r < rows; ++r) {
    for (std::uint64_t c = 0; c < cols; ++c) {
      if (c) out += ',';
      visit_real(type, data.data() + (r * cols + c) * type.size, [&](auto v) { append_number(out, v); });
    }
    out += '\n';
  }
  return out;
}

std::string tiff(const TypeDesc& type, std::span<const std::uint64_t> shape, std::span<const std::byte> data) {
  const TypeDesc& leaf = type.kind == TypeDesc::Kind::enumeration ? type.super[0] : type;
  const std::uint16_t sample_format = leaf.kind == TypeDesc::Kind::floating ? 3 : leaf.sign == h5::Sign::twos_complement ? 2 : 1;
  const auto height = static_cast<std::uint32_t>(shape[0]);
  const auto width = static_cast<std::uint32_t>(shape[1]);
  constexpr std::uint32_t kEntries = 10;
  constexpr std::uint32_t kDataOffset = 8 + 2 + kEntries * 12 + 4 + 2;  // header, IFD, padding to an even offset
  std::string out = "II";
  put(out, std::uint16_t{42});
  put(out, std::uint32_t{8});
  put(out, static_cast<std::uint16_t>(kEntries));
  auto entry = [&](std::uint16_t tag, std::uint16_t kind, std::uint32_t value) {
    put(out, tag);
    put(out, kind);
    put(out, std::uint32_t{1});
    if (kind == 3) {  // SHORT, left-justified in the 4-byte field
      put(out, static_cast<std::uint16_t>(value));
      put(out, std::uint16_t{0});
    } else {
      put(out, value);
    }
  };
  constexpr std::uint16_t kShort = 3, kLong = 4;
  entry(256, kLong, width);
  entry(257, kLong, height);
  entry(258, kShort, static_cast<std::uint32_t>(leaf.size * 8));
  entry(259, kShort, 1);  // no compression
  entry(262, kShort, 1);  // black is zero
  entry(273, kLong, kDataOffset);
  entry(277, kShort, 1);
  entry(278, kLong, height);
  entry(279, kLong, static_cast<std::uint32_t>(data.size()));
  entry(339, kShort, sample_format);
  put(out, std::uint32_t{0});  // no next IFD
  out.append(kDataOffset - out.size(), '\0');
  out.append(reinterpret_cast<const char*>(data.data()), data.size());
  return out;
}

std::string stats(const TypeDesc& type, std::span<const std::byte> data, std::uint64_t count) {
  const TypeDesc& leaf = type.kind == TypeDesc::Kind::enumeration ? type.super[0] : type;
  const bool is_float = leaf.kind == TypeDesc::Kind::floating;
  // Extremes kept as the values themselves (exact for 64-bit integers); sums in double.
  std::string out;
  const std::byte zeros[16] = {};
  visit_real(type, zeros, [&](auto zero) {
    using T = decltype(zero);
    bool any = false, any_pos = false, any_spos = false;
    T lo{}, hi{}, pos_min{}, spos_min{};
    double sum = 0;
    std::uint64_t n = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      T v;
      std::memcpy(&v, data.data() + i * sizeof(T), sizeof v);
      if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(v)) continue;
      }
      if (!any || v < lo) lo = v;
      if (!any || v > hi) hi = v;
      any = true;
      if (v >= 0 && (!any_pos || v < pos_min)) pos_min = v, any_pos = true;
      if (v > 0 && (!any_spos || v < spos_min)) spos_min = v, any_spos = true;
      sum += static_cast<double>(v);
      ++n;
    }
    double mean = n ? sum / static_cast<double>(n) : 0, var = 0;
    for (std::uint64_t i = 0; i < count && n; ++i) {
      T v;
      std::memcpy(&v, data.data() + i * sizeof(T), sizeof v);
      if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(v)) continue;
      }
      const double d = static_cast<double>(v) - mean;
      var += d * d;
    }
    const double sd = n ? std::sqrt(var / static_cast<double>(n)) : 0;
    auto value = [&](bool present, T v) {
      std::string s;
      if (!present) return std::string("null");
      if constexpr (std::is_floating_point_v<T>) {
        inspect::append_json_double(s, static_cast<double>(v));
      } else {
        append_number(s, v);
      }
      return s;
    };
    // h5grove: int(np.mean(...)) for integers, truncated toward zero.
    auto real = [&](double v) {
      std::string s;
      if (!n) return std::string("null");
      if (is_float) {
        inspect::append_json_double(s, v);
      } else {
        s = fmt::format("{}", static_cast<long long>(std::trunc(v)));
      }
      return s;
    };
    out = fmt::format(R"({{"strict_positive_min":{},"positive_min":{},"min":{},"max":{},"mean":{},"std":{}}})",
                      value(any_spos, spos_min), value(any_pos, pos_min), value(any, lo), value(any, hi), real(mean),
                      real(sd));
  });
  return out;
}

}  // namespace h5dig::serve

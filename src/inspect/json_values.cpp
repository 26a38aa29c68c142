#include "h5dig/inspect/json_values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace h5dig::inspect {

using h5::TypeDesc;

namespace {

// The `n` bytes at `p` in little-endian order (big-endian types reversed).
void load_le(const std::byte* p, std::size_t n, h5::ByteOrder order, std::byte* out) {
  if (order == h5::ByteOrder::big) {
    for (std::size_t i = 0; i < n; ++i) out[i] = p[n - 1 - i];
  } else {
    std::memcpy(out, p, n);
  }
}

template <typename T>
T load(const std::byte* p, h5::ByteOrder order) {
  T v;
  std::byte b[sizeof(T)];
  load_le(p, sizeof(T), order, b);
  std::memcpy(&v, b, sizeof(T));
  return v;
}

template <typename T>
void append_integer(std::string& out, T v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_int(std::string& out, const TypeDesc& t, const std::byte* p) {
  const bool is_signed = t.sign == h5::Sign::twos_complement;
  switch (t.size) {
    case 1: return is_signed ? append_integer(out, load<std::int8_t>(p, t.order)) : append_integer(out, load<std::uint8_t>(p, t.order));
    case 2: return is_signed ? append_integer(out, load<std::int16_t>(p, t.order)) : append_integer(out, load<std::uint16_t>(p, t.order));
    case 4: return is_signed ? append_integer(out, load<std::int32_t>(p, t.order)) : append_integer(out, load<std::uint32_t>(p, t.order));
    case 8: return is_signed ? append_integer(out, load<std::int64_t>(p, t.order)) : append_integer(out, load<std::uint64_t>(p, t.order));
    default: out += "null";  // no native integer this wide
  }
}

void append_float(std::string& out, const TypeDesc& t, const std::byte* p) {
  switch (t.size) {
    case 2: return append_json_float(out, half_to_float(load<std::uint16_t>(p, t.order)));
    case 4: return append_json_float(out, load<float>(p, t.order));
    case 8: return append_json_double(out, load<double>(p, t.order));
    default:
      if (t.size == sizeof(long double) && t.order != h5::ByteOrder::big) {
        long double v;
        std::memcpy(&v, p, sizeof v);
        return append_json_double(out, static_cast<double>(v));
      }
      out += "null";
  }
}

// h5py maps the two-member enum FALSE=0/TRUE=1 to numpy's bool.
bool is_bool_enum(const TypeDesc& t) {
  return t.kind == TypeDesc::Kind::enumeration && t.enum_names.size() == 2 && t.enum_names[0] == "FALSE" &&
         t.enum_names[1] == "TRUE" && t.enum_values[0] == "0" && t.enum_values[1] == "1";
}

void append_fixed_string(std::string& out, const std::byte* p, std::size_t size) {
  const char* s = reinterpret_cast<const char*>(p);
  std::size_t n = size;
  while (n > 0 && s[n - 1] == '\0') --n;  // numpy 'S' drops trailing NULs
  append_json_string(out, {s, n});
}

// Calls fn(element pointer) for the `count` elements of shape `shape` in C
// order, opening and closing a list per dimension.
template <typename Fn>
void nest(std::string& out, std::span<const std::uint64_t> shape, std::size_t dim, std::size_t& index, Fn&& fn) {
  out += '[';
  for (std::uint64_t i = 0; i < shape[dim]; ++i) {
    if (i) out += ',';
    if (dim + 1 == shape.size()) {
      fn(index++);
    } else {
      nest(out, shape, dim + 1, index, fn);
    }
  }
  out += ']';
}

}  // namespace

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1f;
  const std::uint32_t mant = h & 0x3ffu;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);  // zero and subnormals
    return sign ? -v : v;
  }
  std::uint32_t bits;
  if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);  // Inf, NaN
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// orjson writes integral floats with ".0" (2.0) and exponents as "1e-08"-ish
// to_chars forms; both read back to the same value.
template <typename F>
void append_shortest(std::string& out, F v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_json_double(std::string& out, double v) { append_shortest(out, v); }
void append_json_float(std::string& out, float v) { append_shortest(out, v); }

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence is copied; anything else becomes U+FFFD.
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) ok = (s[i + k] & 0xc0) == 0x80;
    if (ok && len == 3) {
      const unsigned cp = ((c & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6);
      ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
    }
    if (ok && len == 4) {
      const unsigned cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3fu) << 12);
      ok = cp >= 0x10000 && cp <= 0x10ffff;
    }
    if (ok) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  out += '"';
}

bool has_json_form(const TypeDesc& t) {
  switch (t.kind) {
    case TypeDesc::Kind::integer:
    case TypeDesc::Kind::floating:
    case TypeDesc::Kind::string:
    case TypeDesc::Kind::bitfield:
      return true;
    case TypeDesc::Kind::enumeration:
    case TypeDesc::Kind::vlen:
    case TypeDesc::Kind::array:
      return !t.super.empty() && has_json_form(t.super[0]);
    case TypeDesc::Kind::compound:
      return std::all_of(t.members.begin(), t.members.end(), [](const auto& m) { return has_json_form(m.type); });
    default:
      return false;
  }
}

void append_json_element(std::string& out, const TypeDesc& t, const std::byte* p) {
  switch (t.kind) {
    case TypeDesc::Kind::integer:
    case TypeDesc::Kind::bitfield:
      return append_int(out, t, p);
    case TypeDesc::Kind::floating:
      return append_float(out, t, p);
    case TypeDesc::Kind::enumeration:
      if (t.super.empty()) break;
      if (is_bool_enum(t)) {
        out += p[0] != std::byte{0} ? "true" : "false";
        return;
      }
      return append_int(out, t.super[0], p);
    case TypeDesc::Kind::string:
      if (t.variable) {
        const char* s;
        std::memcpy(&s, p, sizeof s);
        return append_json_string(out, s ? std::string_view(s) : std::string_view());
      }
      return append_fixed_string(out, p, t.size);
    case TypeDesc::Kind::compound:
      out += '[';
      for (std::size_t i = 0; i < t.members.size(); ++i) {
        if (i) out += ',';
        append_json_element(out, t.members[i].type, p + t.members[i].offset);
      }
      out += ']';
      return;
    case TypeDesc::Kind::array: {
      if (t.super.empty()) break;
      std::size_t index = 0;
      const TypeDesc& base = t.super[0];
      if (t.dims.empty()) return append_json_element(out, base, p);
      nest(out, t.dims, 0, index, [&](std::size_t i) { append_json_element(out, base, p + i * base.size); });
      return;
    }
    case TypeDesc::Kind::vlen: {
      if (t.super.empty()) break;
      h5::VlenValue v;
      std::memcpy(&v, p, sizeof v);
      const TypeDesc& base = t.super[0];
      const auto* data = static_cast<const std::byte*>(v.p);
      out += '[';
      for (std::size_t i = 0; i < v.len && data; ++i) {
        if (i) out += ',';
        append_json_element(out, base, data + i * base.size);
      }
      out += ']';
      return;
    }
    default:
      break;
  }
  out += "null";
}

void append_json_values(std::string& out, const TypeDesc& type, const std::byte* data,
                        std::span<const std::uint64_t> shape, bool scalar, bool flatten) {
  // h5py gives an array type's elements as extra trailing dimensions.
  const TypeDesc* element = &type;
  std::vector<std::uint64_t> full(shape.begin(), shape.end());
  while (element->kind == TypeDesc::Kind::array && !element->super.empty()) {
    full.insert(full.end(), element->dims.begin(), element->dims.end());
    element = &element->super[0];
    scalar = false;
  }
  if (scalar) return append_json_element(out, type, data);
  std::uint64_t count = 1;
  for (auto d : full) count *= d;
  const std::size_t esize = element->size;
  if (flatten || full.size() <= 1) {
    out += '[';
    for (std::uint64_t i = 0; i < count; ++i) {
      if (i) out += ',';
      append_json_element(out, *element, data + i * esize);
    }
    out += ']';
    return;
  }
  std::size_t index = 0;
  nest(out, full, 0, index, [&](std::size_t i) { append_json_element(out, *element, data + i * esize); });
}

}  // namespace h5dig::inspect

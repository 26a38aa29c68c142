#include "h5dig/h5/value_json.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace h5dig::h5 {

namespace {

using Kind = TypeDesc::Kind;

template <typename T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Length of the valid UTF-8 sequence at `s` (of `n` bytes left), 0 if invalid.
std::size_t utf8_sequence(const unsigned char* s, std::size_t n, char32_t& cp) {
  const unsigned char c = s[0];
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t len;
  char32_t min;
  if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (n < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

bool is_h5py_bool(const TypeDesc& t) {
  if (t.enum_names.size() != 2) return false;
  std::string f, tr;
  for (std::size_t i = 0; i < 2; ++i) {
    if (t.enum_names[i] == "FALSE") f = t.enum_values[i];
    if (t.enum_names[i] == "TRUE") tr = t.enum_values[i];
  }
  return f == "0" && tr == "1";
}

void append_integer(std::string& out, const TypeDesc& t, const std::byte* p) {
  const bool is_signed = t.kind == Kind::integer && t.sign != Sign::none;  // bitfields unsigned
  switch (t.size) {
    case 1: out += is_signed ? fmt::format("{}", load<std::int8_t>(p)) : fmt::format("{}", load<std::uint8_t>(p)); return;
    case 2: out += is_signed ? fmt::format("{}", load<std::int16_t>(p)) : fmt::format("{}", load<std::uint16_t>(p)); return;
    case 4: out += is_signed ? fmt::format("{}", load<std::int32_t>(p)) : fmt::format("{}", load<std::uint32_t>(p)); return;
    case 8: out += is_signed ? fmt::format("{}", load<std::int64_t>(p)) : fmt::format("{}", load<std::uint64_t>(p)); return;
    default: out += "null";  // no native integer of this size
  }
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) out += "null";
  else if (std::isinf(v)) out += v > 0 ? "Infinity" : "-Infinity";
  else out += fmt::format("{}", v);
}

void append_float(std::string& out, const TypeDesc& t, const std::byte* p) {
  if (t.size == sizeof(float)) append_double(out, static_cast<double>(load<float>(p)));
  else if (t.size == sizeof(double)) append_double(out, load<double>(p));
  else if (t.size == sizeof(long double)) append_double(out, static_cast<double>(load<long double>(p)));
  else out += "null";
}

void append_elements(std::string& out, const TypeDesc& base, const std::byte* p, const std::uint64_t* dims,
                     std::size_t ndims) {
  out += '[';
  std::uint64_t inner = 1;
  for (std::size_t i = 1; i < ndims; ++i) inner *= dims[i];
  for (std::uint64_t i = 0; i < dims[0]; ++i) {
    if (i) out += ", ";
    const std::byte* at = p + i * inner * base.size;
    if (ndims > 1) append_elements(out, base, at, dims + 1, ndims - 1);
    else append_json_value(out, base, at);
  }
  out += ']';
}

}  // namespace

void utf8_code_points(const char* bytes, std::size_t n, std::u32string& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < n;) {
    char32_t cp = 0;
    std::size_t len = utf8_sequence(s + i, n - i, cp);
    if (len == 0) {
      out += static_cast<char32_t>(0xdc00 + s[i]);
      ++i;
    } else {
      out += cp;
      i += len;
    }
  }
}

void append_json_string(std::string& out, const char* bytes, std::size_t n) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes);
  out += '"';
  for (std::size_t i = 0; i < n;) {
    char32_t cp = 0;
    std::size_t len = utf8_sequence(s + i, n - i, cp);
    if (len == 0) {
      out += fmt::format("\\u{:04x}", 0xdc00 + s[i]);
      ++i;
      continue;
    }
    if (cp == '"') out += "\\\"";
    else if (cp == '\\') out += "\\\\";
    else if (cp < 0x20 || cp == 0x7f) out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    else out.append(bytes + i, len);
    i += len;
  }
  out += '"';
}

void append_json_value(std::string& out, const TypeDesc& t, const std::byte* p) {
  switch (t.kind) {
    case Kind::integer:
    case Kind::bitfield:
      append_integer(out, t, p);
      return;
    case Kind::floating:
      append_float(out, t, p);
      return;
    case Kind::enumeration:
      if (is_h5py_bool(t) && !t.super.empty()) {
        std::string v;
        append_integer(v, t.super[0], p);
        out += v == "0" ? "false" : v == "1" ? "true" : v;
      } else if (!t.super.empty()) {
        append_integer(out, t.super[0], p);
      } else {
        out += "null";
      }
      return;
    case Kind::string: {
      if (t.variable) {
        const char* s = load<const char*>(p);
        append_json_string(out, s ? s : "", s ? std::strlen(s) : 0);
        return;
      }
      const char* s = reinterpret_cast<const char*>(p);
      std::size_t n = t.size;
      // As h5py shows it: HDF5's conversion to NumPy's null padding ends a
      // null-terminated string at its first NUL and strips a space-padded one's
      // padding; NumPy then drops trailing NULs (a NUL inside a null-padded or
      // space-padded string stays, as in h5py's bytes).
      if (t.strpad == 0) {  // H5T_STR_NULLTERM
        n = ::strnlen(s, n);
      } else {
        if (t.strpad == 2) {  // H5T_STR_SPACEPAD
          while (n > 0 && s[n - 1] == ' ') --n;
        }
        while (n > 0 && s[n - 1] == '\0') --n;
      }
      append_json_string(out, s, n);
      return;
    }
    case Kind::opaque: {
      // h5py: np.void, whose .item() is the bytes (trailing NULs kept).
      append_json_string(out, reinterpret_cast<const char*>(p), t.size);
      return;
    }
    case Kind::compound: {
      if (t.members.size() == 2 && t.members[0].name == "r" && t.members[1].name == "i" &&
          t.members[0].type.kind == Kind::floating && t.members[1].type.kind == Kind::floating &&
          t.members[0].type.size == t.members[1].type.size) {
        out += '[';
        append_float(out, t.members[0].type, p + t.members[0].offset);
        out += ", ";
        append_float(out, t.members[1].type, p + t.members[1].offset);
        out += ']';
        return;
      }
      out += '{';
      for (std::size_t i = 0; i < t.members.size(); ++i) {
        if (i) out += ", ";
        append_json_string(out, t.members[i].name.data(), t.members[i].name.size());
        out += ": ";
        append_json_value(out, t.members[i].type, p + t.members[i].offset);
      }
      out += '}';
      return;
    }
    case Kind::array:
      if (t.super.empty() || t.dims.empty()) {
        out += "null";
        return;
      }
      append_elements(out, t.super[0], p, t.dims.data(), t.dims.size());
      return;
    case Kind::vlen: {
      if (t.super.empty()) {
        out += "null";
        return;
      }
      const auto len = load<std::size_t>(p);
      const auto* data = load<const std::byte*>(p + sizeof(std::size_t));
      out += '[';
      for (std::size_t i = 0; i < len && data; ++i) {
        if (i) out += ", ";
        append_json_value(out, t.super[0], data + i * t.super[0].size);
      }
      out += ']';
      return;
    }
    case Kind::time:
    case Kind::reference:
    case Kind::unknown:
      out += "null";
      return;
  }
}

}  // namespace h5dig::h5

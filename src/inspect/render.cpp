#include "render.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cfloat>
#include <cstring>
#include <vector>

namespace h5dig::inspect::detail {

using h5::TypeDesc;

namespace {

void append_char(std::string& s, unsigned char ch, const ValueFormat& fmt) {
  if (fmt.simple) {
    // h5ls -S escapes like a URL: everything outside the visible ASCII range.
    // h5tools formats a plain (signed) char, so bytes >= 0x80 come out
    // sign-extended: %ffffffc3.
    if (ch <= ' ' || ch > '~') s += fmt::format("%{:02x}", static_cast<unsigned>(static_cast<int>(static_cast<signed char>(ch))));
    else s += static_cast<char>(ch);
    return;
  }
  switch (ch) {
    case '"': s += "\\\""; break;
    case '\\': s += "\\\\"; break;
    case '\b': s += "\\b"; break;
    case '\f': s += "\\f"; break;
    case '\n': s += "\\n"; break;
    case '\r': s += "\\r"; break;
    case '\t': s += "\\t"; break;
    default:
      if (std::isprint(ch)) s += static_cast<char>(ch);
      // As above: sign-extended, so 0xc3 prints as \37777777703.
      else s += fmt::format("\\{:03o}", static_cast<unsigned>(static_cast<int>(static_cast<signed char>(ch))));
  }
}

// h5tools' string rendering: quoted, runs longer than str_repeat collapsed.
std::string format_string(const char* data, std::size_t size, bool nullterm, const ValueFormat& fmt) {
  std::string s;
  char quote = '\0';
  std::size_t i = 0;
  for (; i < size && (data[i] || !nullterm); ++i) {
    std::size_t j = 1;
    if (fmt.str_repeat > 0) {
      while (i + j < size && data[i] == data[i + j]) ++j;
    }
    bool run = fmt.str_repeat > 0 && j > static_cast<std::size_t>(fmt.str_repeat);
    if (run) {
      if (quote) s += quote;
      quote = '\'';
      if (i) s += ' ';
      s += quote;
    } else if (!quote) {
      quote = '"';
      if (i) s += ' ';
      s += quote;
    }
    append_char(s, static_cast<unsigned char>(data[i]), fmt);
    if (run) {
      s += fmt::format("{} repeats {} times", quote, j - 1);
      quote = '\0';
      i += j - 1;
    }
  }
  if (quote) s += quote;
  if (i == 0) s += "\"\"";
  return s;
}

template <typename T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string format_integer(const TypeDesc& t, const std::byte* p) {
  bool is_signed = t.sign != h5::Sign::none;
  switch (t.size) {
    case 1: return is_signed ? fmt::format("{}", load<std::int8_t>(p)) : fmt::format("{}", load<std::uint8_t>(p));
    case 2: return is_signed ? fmt::format("{}", load<std::int16_t>(p)) : fmt::format("{}", load<std::uint16_t>(p));
    case 4: return is_signed ? fmt::format("{}", load<std::int32_t>(p)) : fmt::format("{}", load<std::uint32_t>(p));
    case 8: return is_signed ? fmt::format("{}", load<std::int64_t>(p)) : fmt::format("{}", load<std::uint64_t>(p));
    default: break;
  }
  std::string s = "0x";
  for (std::size_t i = 0; i < t.size; ++i) s += fmt::format("{:02x}", static_cast<unsigned>(p[i]));
  return s;
}

std::string printf_g(int digits, long double v, bool is_long) {
  char buf[128];
  if (is_long) std::snprintf(buf, sizeof buf, "%Lg", v);
  else std::snprintf(buf, sizeof buf, "%1.*g", digits, static_cast<double>(v));
  return buf;
}

std::string format_float(const TypeDesc& t, const std::byte* p) {
  if (t.size == sizeof(float)) return printf_g(FLT_DIG, load<float>(p), false);
  if (t.size == sizeof(double)) return printf_g(DBL_DIG, load<double>(p), false);
  if (t.size == sizeof(long double)) return printf_g(0, load<long double>(p), true);
  std::string s = "0x";
  for (std::size_t i = 0; i < t.size; ++i) s += fmt::format("{:02x}", static_cast<unsigned>(p[i]));
  return s;
}

std::string hex_bytes(const std::byte* p, std::size_t n) {
  // h5tools prints a lone byte as 0xNN and longer values as NN:NN:...
  if (n == 1) return fmt::format("0x{:02x}", static_cast<unsigned>(p[0]));
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ':';
    s += fmt::format("{:02x}", static_cast<unsigned>(p[i]));
  }
  return s;
}

}  // namespace

std::string format_value(const TypeDesc& t, const std::byte* p, const ValueFormat& fmt) {
  switch (t.kind) {
    case TypeDesc::Kind::integer: return format_integer(t, p);
    case TypeDesc::Kind::floating: return format_float(t, p);
    case TypeDesc::Kind::string: {
      bool nullterm = t.strpad == 0;  // H5T_STR_NULLTERM
      if (t.variable) {
        const char* s = load<const char*>(p);
        if (!s) return "NULL";
        return format_string(s, std::strlen(s), nullterm, fmt);
      }
      return format_string(reinterpret_cast<const char*>(p), t.size, nullterm, fmt);
    }
    case TypeDesc::Kind::bitfield:
    case TypeDesc::Kind::opaque:
    case TypeDesc::Kind::time:
    case TypeDesc::Kind::unknown:
      return hex_bytes(p, t.size);
    case TypeDesc::Kind::enumeration: {
      if (!t.super.empty() && t.size <= 8) {
        std::string v = format_integer(t.super[0], p);
        for (std::size_t i = 0; i < t.enum_values.size(); ++i) {
          if (t.enum_values[i] == v) return t.enum_names[i];
        }
      }
      if (t.size == 1) return fmt::format("0x{:02x}", static_cast<unsigned>(p[0]));
      return hex_bytes(p, t.size);
    }
    case TypeDesc::Kind::compound: {
      std::string s = fmt.simple ? "" : "{";
      for (std::size_t i = 0; i < t.members.size(); ++i) {
        if (i) {
          s += fmt.simple ? " " : ", ";
          s += kSectionBreak;
        }
        s += format_value(t.members[i].type, p + t.members[i].offset, fmt);
      }
      if (!fmt.simple) s += "}";
      return s;
    }
    case TypeDesc::Kind::array: {
      if (t.super.empty()) return {};
      std::uint64_t n = 1;
      for (auto d : t.dims) n *= d;
      std::string s = fmt.simple ? "" : "[";
      const TypeDesc& base = t.super[0];
      for (std::uint64_t i = 0; i < n; ++i) {
        if (i) {
          // h5ls -S separates array elements by its separator plus a space.
          s += fmt.simple ? "  " : ",";
          s += kSectionBreak;
        }
        s += format_value(base, p + i * base.size, fmt);
      }
      if (!fmt.simple) s += "]";
      return s;
    }
    case TypeDesc::Kind::vlen: {
      if (t.super.empty()) return {};
      std::size_t len = load<std::size_t>(p);
      const auto* data = load<const std::byte*>(p + sizeof(std::size_t));
      std::string s = "(";
      const TypeDesc& base = t.super[0];
      for (std::size_t i = 0; i < len; ++i) {
        if (i) {
          s += ",";
          s += kSectionBreak;
        }
        s += format_value(base, data + i * base.size, fmt);
      }
      s += ")";
      return s;
    }
    case TypeDesc::Kind::reference:
      if (t.ref_kind == TypeDesc::RefKind::region && fmt.region_ref) return fmt.region_ref(p);
      if (t.ref_kind == TypeDesc::RefKind::object && fmt.object_ref) return fmt.object_ref(p);
      return hex_bytes(p, t.size);
  }
  return {};
}

namespace {
std::size_t visible_length(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) {
    if (c != kSectionBreak) ++n;
  }
  return n;
}
}  // namespace

void LineRenderer::element(const std::string& text) {
  const std::size_t suffix = 1;  // the " " that would separate the next element
  std::size_t total = visible_length(text);
  if (per_line_) need_prefix_ = true;
  if (cur_column_ + total + suffix > ncols_) {
    if (prev_multiline_) need_prefix_ = true;
    else if (prev_prefix_len_ + total + suffix <= ncols_) need_prefix_ = true;
  }
  std::size_t multiline = 0;
  std::size_t secnum = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(kSectionBreak, start);
    if (end == std::string::npos) end = text.size();
    std::string section = text.substr(start, end - start);
    if (!section.empty() || secnum == 0) {
      if (cur_column_ + section.size() + suffix > ncols_) need_prefix_ = true;
      if (need_prefix_) {
        if (secnum) ++multiline;
        if (cur_column_) out_ << '\n';
        const std::string& prefix = secnum ? cont_ : pre_;
        out_ << prefix;
        cur_column_ = prev_prefix_len_ = prefix.size();
        need_prefix_ = false;
      } else if (count_ && secnum == 0) {
        out_ << ' ';
        cur_column_ += 1;
      }
      out_ << section;
      cur_column_ += section.size();
      ++secnum;
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  prev_multiline_ = multiline > 0;
  ++count_;
}

}  // namespace h5dig::inspect::detail

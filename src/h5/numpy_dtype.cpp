#include "h5dig/h5/numpy_dtype.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>

#include "h5dig/error.hpp"

namespace h5dig::h5 {

namespace {

using Kind = TypeDesc::Kind;

std::string order_char(const TypeDesc& t) {
  if (t.size == 1) return "|";
  return t.order == ByteOrder::big ? ">" : "<";
}

std::string raw_bytes(std::size_t size) { return fmt::format("|V{}", size); }

std::string shape_literal(const std::vector<std::uint64_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", dims[i]);
  if (dims.size() == 1) s += ",";
  return s + ")";
}

// The bit layout of IEEE binary16/32/64 (sign, exponent and mantissa positions
// and sizes, exponent bias), which NumPy's f2/f4/f8 assume, or x86's long double.
bool is_ieee_layout(const TypeDesc& t) {
  struct Layout {
    std::size_t size, spos, epos, esize, mpos, msize, ebias;
  };
  static constexpr Layout kIeee[] = {{2, 15, 10, 5, 0, 10, 15}, {4, 31, 23, 8, 0, 23, 127}, {8, 63, 52, 11, 0, 52, 1023}};
  // x86's 80-bit extended precision in 16 bytes (C's long double there, which
  // PyTables writes): NumPy's float128 on x86-64, h5py's '<f16'.
  if (t.size == 16 && t.order == ByteOrder::little && t.spos == 79 && t.epos == 64 && t.esize == 15 && t.mpos == 0 &&
      t.msize == 64 && t.ebias == 16383 && t.precision == 80 && t.offset == 0) {
#if defined(__x86_64__)
    return true;
#else
    return false;
#endif
  }
  for (const Layout& l : kIeee) {
    if (t.size == l.size && t.spos == l.spos && t.epos == l.epos && t.esize == l.esize && t.mpos == l.mpos &&
        t.msize == l.msize && t.ebias == l.ebias && t.precision == 8 * l.size && t.offset == 0) {
      return true;
    }
  }
  return false;
}

// h5py's rule for booleans: an enum of exactly FALSE=0 and TRUE=1.
bool is_h5py_bool(const TypeDesc& t) {
  if (t.enum_names.size() != 2) return false;
  std::string false_value, true_value;
  for (std::size_t i = 0; i < 2; ++i) {
    if (t.enum_names[i] == "FALSE") false_value = t.enum_values[i];
    if (t.enum_names[i] == "TRUE") true_value = t.enum_values[i];
  }
  return false_value == "0" && true_value == "1";
}

NumpyDtype map_type(const TypeDesc& t);

// A compound as a structured descr, fields in offset order with padding.
NumpyDtype map_compound(const TypeDesc& t) {
  NumpyDtype out;
  out.itemsize = t.size;
  std::vector<NumpyDtype> fields;
  for (const auto& m : t.members) {
    fields.push_back(map_type(m.type));
    out.exact = out.exact && fields.back().exact;
    out.fixed_size = out.fixed_size && fields.back().fixed_size;
    out.reordered = out.reordered || fields.back().reordered;
  }
  // h5py: two members named r and i of the same float type are a complex number.
  if (t.members.size() == 2 && t.members[0].name == "r" && t.members[1].name == "i" &&
      t.members[0].type.kind == Kind::floating && t.members[1].type.kind == Kind::floating &&
      fields[0].descr == fields[1].descr) {
    out.descr = fmt::format("{}c{}", fields[0].descr.substr(0, 1), 2 * t.members[0].type.size);
    return out;
  }
  std::vector<std::size_t> order(t.members.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return t.members[a].offset < t.members[b].offset; });
  out.reordered = out.reordered || !std::is_sorted(order.begin(), order.end());
  std::string list = "[";
  std::size_t at = 0;
  auto pad = [&](std::size_t n) { list += fmt::format("{}('', '|V{}')", list.size() > 1 ? ", " : "", n); };
  for (std::size_t i : order) {
    const auto& m = t.members[i];
    if (m.offset < at || m.offset + m.type.size > t.size) {
      // Overlapping members, or a member reaching past the compound's own size
      // (a damaged type): no NumPy descr can say that. Raw bytes.
      out.descr = raw_bytes(t.size);
      out.exact = false;
      return out;
    }
    if (m.offset > at) pad(m.offset - at);
    list += fmt::format("{}({}, {}", list.size() > 1 ? ", " : "", python_string_literal(m.name),
                        fields[i].descr.front() == '[' ? fields[i].descr : python_string_literal(fields[i].descr));
    if (!fields[i].subshape.empty()) list += ", " + shape_literal(fields[i].subshape);
    list += ")";
    at = m.offset + m.type.size;
  }
  if (t.size > at) pad(t.size - at);
  out.descr = list + "]";
  return out;
}

NumpyDtype map_type(const TypeDesc& t) {
  NumpyDtype out;
  out.itemsize = t.size;
  switch (t.kind) {
    case Kind::integer:
    case Kind::bitfield:
      if (t.size != 1 && t.size != 2 && t.size != 4 && t.size != 8) {
        out.descr = raw_bytes(t.size);  // NumPy has no 3-, 16-, ... byte integers ('<u16' is no dtype)
        out.exact = false;
        break;
      }
      out.descr = fmt::format("{}{}{}", order_char(t), t.sign == Sign::none || t.kind == Kind::bitfield ? "u" : "i",
                              t.size);
      break;
    case Kind::floating:
      if (!is_ieee_layout(t)) {
        // Not the IEEE half, single or double layout NumPy's f2/f4/f8 read (a
        // 16-byte float, VAX or custom bit fields): raw bytes, never numbers
        // read with the wrong layout.
        out.descr = raw_bytes(t.size);
        out.exact = false;
        break;
      }
      out.descr = fmt::format("{}f{}", order_char(t), t.size);
      break;
    case Kind::enumeration:
      if (is_h5py_bool(t)) {
        out.descr = "|b1";
      } else if (!t.super.empty()) {
        out = map_type(t.super[0]);
      } else {
        out.descr = raw_bytes(t.size);
        out.exact = false;
      }
      break;
    case Kind::string:
      if (t.variable) out.fixed_size = false;
      out.descr = fmt::format("|S{}", t.size);
      break;
    case Kind::opaque:
      out.descr = raw_bytes(t.size);
      break;
    case Kind::compound:
      return map_compound(t);
    case Kind::array: {
      if (t.super.empty()) {
        out.descr = raw_bytes(t.size);
        out.exact = false;
        break;
      }
      NumpyDtype base = map_type(t.super[0]);
      out = base;
      out.itemsize = t.size;
      // An array of arrays: NumPy merges the subshapes, outer dims first.
      out.subshape = t.dims;
      out.subshape.insert(out.subshape.end(), base.subshape.begin(), base.subshape.end());
      break;
    }
    case Kind::vlen:
    case Kind::reference:
      out.descr = raw_bytes(t.size);
      out.fixed_size = false;
      break;
    case Kind::time:
    case Kind::unknown:
      out.descr = raw_bytes(t.size);
      out.exact = false;
      break;
  }
  return out;
}

}  // namespace

NumpyDtype numpy_dtype(const TypeDesc& type) { return map_type(type); }

bool holds_variable_length(const TypeDesc& t) {
  if (t.kind == Kind::vlen || (t.kind == Kind::string && t.variable)) return true;
  for (const auto& m : t.members) {
    if (holds_variable_length(m.type)) return true;
  }
  for (const auto& s : t.super) {
    if (holds_variable_length(s)) return true;
  }
  return false;
}

namespace {

constexpr std::size_t kMaxValueFixes = 65536;

// The fix one element of `t` needs on its own (a string or an integer), if any.
std::optional<ValueFix> fix_of(const TypeDesc& t) {
  if (t.kind == Kind::string && !t.variable && t.strpad == H5T_STR_NULLTERM) {
    return ValueFix{ValueFix::Kind::nullterm_string, 0, t.size};
  }
  if (t.kind == Kind::string && !t.variable && t.strpad == H5T_STR_SPACEPAD) {
    return ValueFix{ValueFix::Kind::spacepad_string, 0, t.size};
  }
  const TypeDesc* bits = &t;
  if (t.kind == Kind::enumeration && !t.super.empty()) bits = &t.super[0];
  if ((bits->kind == Kind::integer || bits->kind == Kind::bitfield) && bits->size <= 8 &&
      (bits->size == 1 || bits->size == 2 || bits->size == 4 || bits->size == 8) &&
      (bits->offset != 0 || bits->precision < 8 * bits->size) && bits->precision > 0 &&
      bits->offset + bits->precision <= 8 * bits->size) {
    ValueFix f{ValueFix::Kind::integer_bits, 0, bits->size};
    f.precision = bits->precision;
    f.bit_offset = bits->offset;
    f.is_signed = bits->kind == Kind::integer && bits->sign == Sign::twos_complement;
    f.big_endian = bits->order == ByteOrder::big;
    return f;
  }
  return std::nullopt;
}

void collect_fixes(const TypeDesc& t, std::size_t base, std::vector<ValueFix>& out) {
  auto add = [&](ValueFix f) {
    if (out.size() == kMaxValueFixes) {
      throw_unsupported(fmt::format("more than {} strings or partial-precision integers in one element", kMaxValueFixes));
    }
    out.push_back(f);
  };
  if (std::optional<ValueFix> f = fix_of(t)) {
    f->offset = base;
    add(*f);
  } else if (t.kind == Kind::compound) {
    for (const auto& m : t.members) collect_fixes(m.type, base + m.offset, out);
  } else if (t.kind == Kind::array && !t.super.empty()) {
    std::uint64_t n = 1;
    for (auto d : t.dims) n *= d;
    const TypeDesc& e = t.super[0];
    if (e.size == 0 || n * e.size != t.size) return;  // not laid out as HDF5 says: left alone
    if (std::optional<ValueFix> f = fix_of(e)) {
      f->offset = base;
      f->count = static_cast<std::size_t>(n);
      add(*f);
    } else {
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::size_t before = out.size();
        collect_fixes(e, base + i * e.size, out);
        if (out.size() == before) return;  // nothing inside: nothing in the other elements either
      }
    }
  }
}

// One integer of `f.size` bytes at `p`: its `precision` bits from `bit_offset`,
// shifted down and sign-extended, stored back in the same byte order.
void fix_integer(const ValueFix& f, std::byte* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < f.size; ++i) {
    const std::size_t at = f.big_endian ? i : f.size - 1 - i;  // most significant byte first
    v = (v << 8) | std::to_integer<std::uint64_t>(p[at]);
  }
  v >>= f.bit_offset;
  const std::uint64_t mask = f.precision >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << f.precision) - 1;
  v &= mask;
  if (f.is_signed && f.precision < 64 && ((v >> (f.precision - 1)) & 1)) v |= ~mask;
  for (std::size_t i = 0; i < f.size; ++i) {
    const std::size_t at = f.big_endian ? f.size - 1 - i : i;  // least significant byte first
    p[at] = static_cast<std::byte>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace

std::vector<ValueFix> value_fixes(const TypeDesc& type) {
  std::vector<ValueFix> out;
  collect_fixes(type, 0, out);
  return out;
}

void apply_value_fixes(std::span<const ValueFix> fixes, std::size_t element_size, std::span<std::byte> elements) {
  if (fixes.empty() || element_size == 0) return;
  for (std::size_t e = 0; e + element_size <= elements.size(); e += element_size) {
    for (const ValueFix& f : fixes) {
      for (std::size_t i = 0; i < f.count; ++i) {
        std::byte* p = elements.data() + e + f.offset + i * f.size;
        switch (f.kind) {
          case ValueFix::Kind::spacepad_string:
            for (std::size_t n = f.size; n > 0 && p[n - 1] == std::byte{' '}; --n) p[n - 1] = std::byte{0};
            break;
          case ValueFix::Kind::nullterm_string:
            if (const void* nul = std::memchr(p, 0, f.size)) {
              const auto at = static_cast<std::size_t>(static_cast<const std::byte*>(nul) - p);
              std::memset(p + at, 0, f.size - at);
            }
            break;
          case ValueFix::Kind::integer_bits:
            fix_integer(f, p);
            break;
        }
      }
    }
  }
}

std::string python_string_literal(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    } else {
      out += static_cast<char>(c);  // UTF-8 passes through (a version 3.0 .npy header)
    }
  }
  return out + "'";
}

}  // namespace h5dig::h5

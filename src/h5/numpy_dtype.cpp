#include "h5dig/h5/numpy_dtype.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

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
    if (m.offset < at) {
      // Overlapping members: no NumPy descr can say that. Raw bytes.
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
      out.descr = fmt::format("{}{}{}", order_char(t), t.sign == Sign::none ? "u" : "i", t.size);
      break;
    case Kind::floating:
      out.descr = fmt::format("{}f{}", order_char(t), t.size);
      break;
    case Kind::bitfield:
      out.descr = fmt::format("{}u{}", order_char(t), t.size);
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

#include "h5dig/h5/region.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "h5/types_equal.hpp"

namespace h5dig::h5 {

namespace {

using detail::types_equal;

const char* first_equal(hid_t type, std::initializer_list<std::pair<hid_t, const char*>> names) {
  for (const auto& [id, name] : names) {
    if (types_equal(type, id)) return name;
  }
  return nullptr;
}

std::string order_words(hid_t type) {
  if (H5Tget_size(type) <= 1) return "";
  switch (H5Tget_order(type)) {
    case H5T_ORDER_LE: return " little-endian";
    case H5T_ORDER_BE: return " big-endian";
    case H5T_ORDER_VAX: return " mixed-endian";
    default: return " unknown-byte-order";
  }
}

std::string read_name(char* (*get)(hid_t, unsigned), hid_t type, unsigned i) {
  char* s = get(type, i);
  if (!s) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  std::string out = s;
  H5free_memory(s);
  return out;
}

DumpType word(std::string text) {
  DumpType t;
  t.text = std::move(text);
  return t;
}

// The CTYPE line of a string type: is it C's or Fortran's one-character type
// (with this size, padding and character set, in either byte order)?
std::string string_ctype(hid_t type, std::size_t size, bool variable, H5T_str_t pad, H5T_cset_t cset) {
  for (hid_t base : {H5T_C_S1, H5T_FORTRAN_S1}) {
    DatatypeId probe(H5Tcopy(base));
    if (!probe) break;
    if (base == H5T_C_S1) {
      H5Tset_size(probe.get(), variable ? H5T_VARIABLE : size);
      H5Tset_cset(probe.get(), cset);
      H5Tset_strpad(probe.get(), pad);
    } else {
      // As h5dump: the Fortran type is never variable-length.
      H5Tset_cset(probe.get(), cset);
      H5Tset_size(probe.get(), size);
      H5Tset_strpad(probe.get(), pad);
    }
    const char* name = base == H5T_C_S1 ? "H5T_C_S1;" : "H5T_FORTRAN_S1;";
    if (types_equal(type, probe.get())) return name;
    H5T_order_t order = H5Tget_order(type);
    if (order == H5T_ORDER_LE || order == H5T_ORDER_BE) H5Tset_order(probe.get(), order);
    if (types_equal(type, probe.get())) return name;
  }
  H5Eclear2(H5E_DEFAULT);
  return "unknown_one_character_type;";
}

std::vector<std::string> enum_lines(hid_t type) {
  std::vector<std::string> lines;
  int n = H5Tget_nmembers(type);
  DatatypeId super(H5Tget_super(type));
  std::size_t size = H5Tget_size(type);
  if (n <= 0 || !super) {
    H5Eclear2(H5E_DEFAULT);
    return lines;
  }
  bool is_unsigned = H5Tget_sign(type) == H5T_SGN_NONE;
  bool native = size <= sizeof(long long);
  std::size_t elem = std::max(size, sizeof(long long));
  std::vector<unsigned char> values(static_cast<std::size_t>(n) * elem);
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    names.push_back(read_name(H5Tget_member_name, type, static_cast<unsigned>(i)));
    H5Tget_member_value(type, static_cast<unsigned>(i), values.data() + static_cast<std::size_t>(i) * size);
  }
  if (native) {
    H5Tconvert(super.get(), is_unsigned ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, static_cast<std::size_t>(n),
               values.data(), nullptr, H5P_DEFAULT);
  }
  for (int i = 0; i < n; ++i) {
    const unsigned char* v = values.data() + static_cast<std::size_t>(i) * (native ? sizeof(long long) : size);
    std::string s = fmt::format("\"{}\"{:{}} ", names[static_cast<std::size_t>(i)], "",
                                std::max<std::size_t>(0, 16 - std::min<std::size_t>(16, names[static_cast<std::size_t>(i)].size())));
    if (!native) {
      s += "0x";
      for (std::size_t j = 0; j < size; ++j) s += fmt::format("{:02x}", v[j]);
    } else if (is_unsigned) {
      unsigned long long u;
      std::memcpy(&u, v, sizeof u);
      s += fmt::format("{}", u);
    } else {
      long long l;
      std::memcpy(&l, v, sizeof l);
      s += fmt::format("{}", l);
    }
    s += ";";
    lines.push_back(std::move(s));
  }
  H5Eclear2(H5E_DEFAULT);
  return lines;
}

// h5tools_print_datatype, as data.
DumpType dump_type(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: {
      if (const char* n = first_equal(type, {{H5T_STD_I8BE, "H5T_STD_I8BE"},     {H5T_STD_I8LE, "H5T_STD_I8LE"},
                                             {H5T_STD_I16BE, "H5T_STD_I16BE"},   {H5T_STD_I16LE, "H5T_STD_I16LE"},
                                             {H5T_STD_I32BE, "H5T_STD_I32BE"},   {H5T_STD_I32LE, "H5T_STD_I32LE"},
                                             {H5T_STD_I64BE, "H5T_STD_I64BE"},   {H5T_STD_I64LE, "H5T_STD_I64LE"},
                                             {H5T_STD_U8BE, "H5T_STD_U8BE"},     {H5T_STD_U8LE, "H5T_STD_U8LE"},
                                             {H5T_STD_U16BE, "H5T_STD_U16BE"},   {H5T_STD_U16LE, "H5T_STD_U16LE"},
                                             {H5T_STD_U32BE, "H5T_STD_U32BE"},   {H5T_STD_U32LE, "H5T_STD_U32LE"},
                                             {H5T_STD_U64BE, "H5T_STD_U64BE"},   {H5T_STD_U64LE, "H5T_STD_U64LE"},
                                             {H5T_NATIVE_SCHAR, "H5T_NATIVE_SCHAR"}, {H5T_NATIVE_UCHAR, "H5T_NATIVE_UCHAR"},
                                             {H5T_NATIVE_SHORT, "H5T_NATIVE_SHORT"}, {H5T_NATIVE_USHORT, "H5T_NATIVE_USHORT"},
                                             {H5T_NATIVE_INT, "H5T_NATIVE_INT"}, {H5T_NATIVE_UINT, "H5T_NATIVE_UINT"},
                                             {H5T_NATIVE_LONG, "H5T_NATIVE_LONG"}, {H5T_NATIVE_ULONG, "H5T_NATIVE_ULONG"},
                                             {H5T_NATIVE_LLONG, "H5T_NATIVE_LLONG"},
                                             {H5T_NATIVE_ULLONG, "H5T_NATIVE_ULLONG"}})) {
        return word(n);
      }
      H5T_sign_t sign = H5Tget_sign(type);
      const char* sign_s = sign == H5T_SGN_NONE ? " unsigned" : sign == H5T_SGN_2 ? "" : " unknown-sign";
      return word(fmt::format("{}-bit{}{} integer", 8 * H5Tget_size(type), order_words(type), sign_s));
    }
    case H5T_FLOAT: {
      if (const char* n = first_equal(type, {{H5T_IEEE_F32BE, "H5T_IEEE_F32BE"},
                                             {H5T_IEEE_F32LE, "H5T_IEEE_F32LE"},
                                             {H5T_IEEE_F64BE, "H5T_IEEE_F64BE"},
                                             {H5T_IEEE_F64LE, "H5T_IEEE_F64LE"},
                                             {H5T_VAX_F32, "H5T_VAX_F32"},
                                             {H5T_VAX_F64, "H5T_VAX_F64"},
                                             {H5T_NATIVE_FLOAT, "H5T_NATIVE_FLOAT"},
                                             {H5T_NATIVE_DOUBLE, "H5T_NATIVE_DOUBLE"},
                                             {H5T_NATIVE_LDOUBLE, "H5T_NATIVE_LDOUBLE"}})) {
        return word(n);
      }
      return word(fmt::format("{}-bit{} floating-point", 8 * H5Tget_size(type), order_words(type)));
    }
    case H5T_TIME: return word("H5T_TIME: not yet implemented");
    case H5T_STRING: {
      DumpType t;
      t.kind = DumpType::Kind::string;
      DatatypeId copy(H5Tcopy(type));
      std::size_t size = H5Tget_size(copy.get());
      H5T_str_t pad = H5Tget_strpad(copy.get());
      H5T_cset_t cset = H5Tget_cset(copy.get());
      bool variable = H5Tis_variable_str(copy.get()) > 0;
      t.lines.push_back(variable ? "STRSIZE H5T_VARIABLE;" : fmt::format("STRSIZE {};", size));
      switch (pad) {
        case H5T_STR_NULLTERM: t.lines.push_back("STRPAD H5T_STR_NULLTERM;"); break;
        case H5T_STR_NULLPAD: t.lines.push_back("STRPAD H5T_STR_NULLPAD;"); break;
        case H5T_STR_SPACEPAD: t.lines.push_back("STRPAD H5T_STR_SPACEPAD;"); break;
        case H5T_STR_ERROR: t.lines.push_back("STRPAD H5T_STR_ERROR;"); break;
        default: t.lines.push_back("STRPAD H5T_STR_UNKNOWN;");
      }
      switch (cset) {
        case H5T_CSET_ASCII: t.lines.push_back("CSET H5T_CSET_ASCII;"); break;
        case H5T_CSET_UTF8: t.lines.push_back("CSET H5T_CSET_UTF8;"); break;
        case H5T_CSET_ERROR: t.lines.push_back("CSET H5T_CSET_ERROR;"); break;
        default: t.lines.push_back("CSET H5T_CSET_UNKNOWN;");
      }
      t.lines.push_back("CTYPE " + string_ctype(copy.get(), size, variable, pad, cset));
      return t;
    }
    case H5T_BITFIELD: {
      const char* n = first_equal(type, {{H5T_STD_B8BE, "H5T_STD_B8BE"},   {H5T_STD_B8LE, "H5T_STD_B8LE"},
                                         {H5T_STD_B16BE, "H5T_STD_B16BE"}, {H5T_STD_B16LE, "H5T_STD_B16LE"},
                                         {H5T_STD_B32BE, "H5T_STD_B32BE"}, {H5T_STD_B32LE, "H5T_STD_B32LE"},
                                         {H5T_STD_B64BE, "H5T_STD_B64BE"}, {H5T_STD_B64LE, "H5T_STD_B64LE"}});
      return word(n ? n : "undefined bitfield");
    }
    case H5T_OPAQUE: {
      DumpType t;
      t.kind = DumpType::Kind::opaque;
      char* tag = H5Tget_tag(type);
      t.lines.push_back(fmt::format("OPAQUE_TAG \"{}\";", tag ? tag : ""));
      if (tag) H5free_memory(tag);
      return t;
    }
    case H5T_COMPOUND: {
      DumpType t;
      t.kind = DumpType::Kind::compound;
      int n = H5Tget_nmembers(type);
      for (int i = 0; i < n; ++i) {
        DatatypeId mt(H5Tget_member_type(type, static_cast<unsigned>(i)));
        if (!mt) continue;
        t.members.push_back({dump_type(mt.get()), read_name(H5Tget_member_name, type, static_cast<unsigned>(i))});
      }
      return t;
    }
    case H5T_REFERENCE:
      return word(types_equal(type, H5T_STD_REF_DSETREG) ? "H5T_REFERENCE { H5T_STD_REF_DSETREG }"
                                                    : "H5T_REFERENCE { H5T_STD_REF_OBJECT }");
    case H5T_ENUM: {
      DumpType t;
      t.kind = DumpType::Kind::enumeration;
      DatatypeId super(H5Tget_super(type));
      t.super.push_back(super ? dump_type(super.get()) : word(""));
      t.lines = enum_lines(type);
      return t;
    }
    case H5T_VLEN: {
      DumpType t;
      t.kind = DumpType::Kind::vlen;
      DatatypeId super(H5Tget_super(type));
      t.super.push_back(super ? dump_type(super.get()) : word(""));
      return t;
    }
    case H5T_ARRAY: {
      DumpType t;
      t.kind = DumpType::Kind::array;
      int nd = H5Tget_array_ndims(type);
      if (nd > 0) {
        std::vector<hsize_t> dims(static_cast<std::size_t>(nd));
        H5Tget_array_dims2(type, dims.data());
        for (auto d : dims) t.text += fmt::format("[{}]", d);
        t.text += " ";
      }
      DatatypeId super(H5Tget_super(type));
      t.super.push_back(super ? dump_type(super.get()) : word(""));
      return t;
    }
    default: return word("unknown datatype");
  }
}

// h5tools_print_dataspace.
std::string dump_space(hid_t space) {
  int nd = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(nd, 0))), maxdims(dims.size());
  if (nd > 0) H5Sget_simple_extent_dims(space, dims.data(), maxdims.data());
  switch (H5Sget_simple_extent_type(space)) {
    case H5S_SCALAR: return " SCALAR";
    case H5S_NULL: return " NULL";
    case H5S_SIMPLE: {
      std::string s = " SIMPLE { ( ";
      for (std::size_t i = 0; i < dims.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", dims[i]);
      s += " ) / ( ";
      for (std::size_t i = 0; i < dims.size(); ++i) {
        s += i ? ", " : "";
        s += maxdims[i] == H5S_UNLIMITED ? std::string("H5S_UNLIMITED") : fmt::format("{}", maxdims[i]);
      }
      s += " ) }";
      return s;
    }
    default: return " { unknown dataspace }\n";
  }
}

bool all_zero(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  return std::all_of(b, b + n, [](unsigned char c) { return c == 0; });
}

std::string ref_name(hid_t obj, const void* ref) {
  char buf[1024];
  ssize_t n = H5Rget_name(obj, H5R_DATASET_REGION, ref, buf, sizeof buf);
  if (n < 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  // h5ls names into a 1024-byte buffer; longer names come out cut there.
  return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

}  // namespace

std::size_t region_ref_size() { return H5R_DSET_REG_REF_BUF_SIZE; }

std::string region_ref_name(hid_t loc, const void* ref) { return ref_name(loc, ref); }

RegionRef describe_region_ref(hid_t loc, const void* ref) {
  RegionRef r;
  if (all_zero(ref, H5R_DSET_REG_REF_BUF_SIZE)) {
    r.state = RegionRef::State::null;
    return r;
  }
  // h5ls names the reference before following it: a dangling one (its
  // dataset deleted) still prints as DATASET "".
  r.name = ref_name(loc, ref);
  DatasetId obj(H5Rdereference2(loc, H5P_DEFAULT, H5R_DATASET_REGION, ref));
  if (!obj) {
    H5Eclear2(H5E_DEFAULT);
    return r;
  }
  DataspaceId space(H5Rget_region(loc, H5R_DATASET_REGION, ref));
  if (!space) {
    H5Eclear2(H5E_DEFAULT);
    return r;
  }
  int nd = H5Sget_simple_extent_ndims(space.get());
  r.ndims = nd > 0 ? static_cast<unsigned>(nd) : 0;
  switch (H5Sget_select_type(space.get())) {
    case H5S_SEL_POINTS: {
      r.selection = RegionRef::Selection::points;
      hssize_t n = H5Sget_select_elem_npoints(space.get());
      r.count = n > 0 && r.ndims > 0 ? static_cast<std::uint64_t>(n) : 0;
      break;
    }
    case H5S_SEL_HYPERSLABS: {
      r.selection = RegionRef::Selection::blocks;
      hssize_t n = H5Sget_select_hyper_nblocks(space.get());
      r.count = n > 0 && r.ndims > 0 ? static_cast<std::uint64_t>(n) : 0;
      break;
    }
    case H5S_SEL_ALL: r.selection = RegionRef::Selection::all; break;
    default: r.selection = RegionRef::Selection::none;
  }
  DatatypeId type(H5Dget_type(obj.get()));
  if (type) r.type = dump_type(type.get());
  r.space = dump_space(space.get());
  r.selection_space = std::move(space);
  H5Eclear2(H5E_DEFAULT);
  r.state = RegionRef::State::ok;
  return r;
}

void read_region_items(const RegionRef& ref, std::uint64_t first, std::uint64_t n, std::vector<std::uint64_t>& out) {
  out.clear();
  if (!ref.selection_space || first >= ref.count || ref.ndims == 0) return;
  n = std::min(n, ref.count - first);
  const bool blocks = ref.selection == RegionRef::Selection::blocks;
  std::vector<hsize_t> c(static_cast<std::size_t>(n) * ref.ndims * (blocks ? 2 : 1));
  herr_t rc = blocks ? H5Sget_select_hyper_blocklist(ref.selection_space.get(), first, n, c.data())
                     : H5Sget_select_elem_pointlist(ref.selection_space.get(), first, n, c.data());
  if (rc < 0) {
    H5Eclear2(H5E_DEFAULT);
    return;
  }
  out.assign(c.begin(), c.end());
}

}  // namespace h5dig::h5

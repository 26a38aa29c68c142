#include "h5dig/h5/describe.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "h5/types_equal.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::h5 {

namespace {

using detail::types_equal;

// The native C types h5ls names, in the order h5ls tries them (the first equal
// one wins, so e.g. `int` is preferred over `int32_t`).
std::string native_type_name(hid_t type) {
  const std::pair<hid_t, const char*> natives[] = {
      {H5T_NATIVE_SCHAR, "native signed char"},
      {H5T_NATIVE_UCHAR, "native unsigned char"},
      {H5T_NATIVE_INT, "native int"},
      {H5T_NATIVE_UINT, "native unsigned int"},
      {H5T_NATIVE_SHORT, "native short"},
      {H5T_NATIVE_USHORT, "native unsigned short"},
      {H5T_NATIVE_LONG, "native long"},
      {H5T_NATIVE_ULONG, "native unsigned long"},
      {H5T_NATIVE_LLONG, "native long long"},
      {H5T_NATIVE_ULLONG, "native unsigned long long"},
      {H5T_NATIVE_FLOAT, "native float"},
      {H5T_NATIVE_DOUBLE, "native double"},
      {H5T_NATIVE_INT8, "native int8_t"},
      {H5T_NATIVE_UINT8, "native uint8_t"},
      {H5T_NATIVE_INT16, "native int16_t"},
      {H5T_NATIVE_UINT16, "native uint16_t"},
      {H5T_NATIVE_INT32, "native int32_t"},
      {H5T_NATIVE_UINT32, "native uint32_t"},
      {H5T_NATIVE_INT64, "native int64_t"},
      {H5T_NATIVE_UINT64, "native uint64_t"},
      {H5T_NATIVE_INT_LEAST8, "native int_least8_t"},
      {H5T_NATIVE_UINT_LEAST8, "native uint_least8_t"},
      {H5T_NATIVE_INT_LEAST16, "native int_least16_t"},
      {H5T_NATIVE_UINT_LEAST16, "native uint_least16_t"},
      {H5T_NATIVE_INT_LEAST32, "native int_least32_t"},
      {H5T_NATIVE_UINT_LEAST32, "native uint_least32_t"},
      {H5T_NATIVE_INT_LEAST64, "native int_least64_t"},
      {H5T_NATIVE_UINT_LEAST64, "native uint_least64_t"},
      {H5T_NATIVE_INT_FAST8, "native int_fast8_t"},
      {H5T_NATIVE_UINT_FAST8, "native uint_fast8_t"},
      {H5T_NATIVE_INT_FAST16, "native int_fast16_t"},
      {H5T_NATIVE_UINT_FAST16, "native uint_fast16_t"},
      {H5T_NATIVE_INT_FAST32, "native int_fast32_t"},
      {H5T_NATIVE_UINT_FAST32, "native uint_fast32_t"},
      {H5T_NATIVE_INT_FAST64, "native int_fast64_t"},
      {H5T_NATIVE_UINT_FAST64, "native uint_fast64_t"},
      {H5T_NATIVE_B8, "native 8-bit field"},
      {H5T_NATIVE_B16, "native 16-bit field"},
      {H5T_NATIVE_B32, "native 32-bit field"},
      {H5T_NATIVE_B64, "native 64-bit field"},
      {H5T_NATIVE_HSIZE, "native hsize_t"},
      {H5T_NATIVE_HSSIZE, "native hssize_t"},
      {H5T_NATIVE_HERR, "native herr_t"},
      {H5T_NATIVE_HBOOL, "native hbool_t"},
  };
  for (const auto& [id, name] : natives) {
    if (types_equal(type, id)) return name;
  }
  return {};
}

std::string ieee_type_name(hid_t type) {
  if (types_equal(type, H5T_IEEE_F32BE)) return "IEEE 32-bit big-endian float";
  if (types_equal(type, H5T_IEEE_F32LE)) return "IEEE 32-bit little-endian float";
  if (types_equal(type, H5T_IEEE_F64BE)) return "IEEE 64-bit big-endian float";
  if (types_equal(type, H5T_IEEE_F64LE)) return "IEEE 64-bit little-endian float";
  return {};
}

std::string take_string(char* s) {
  std::string out = s ? s : "";
  if (s) H5free_memory(s);
  return out;
}

}  // namespace

TypeDesc describe_type(hid_t type) {
  TypeDesc d;
  H5T_class_t cls = H5Tget_class(type);
  d.raw_class = ours(cls);
  d.size = H5Tget_size(type);
  htri_t committed = H5Tcommitted(type);
  if (committed > 0) {
    d.committed = true;
    H5O_info_t oi;
    if (H5Oget_info2(type, &oi, H5O_INFO_BASIC) >= 0) {
      d.committed_fileno = oi.fileno;
      d.committed_addr = oi.addr;
    } else {
      H5Eclear2(H5E_DEFAULT);
    }
  }
  switch (cls) {
    case H5T_INTEGER: d.kind = TypeDesc::Kind::integer; break;
    case H5T_FLOAT: d.kind = TypeDesc::Kind::floating; break;
    case H5T_TIME: d.kind = TypeDesc::Kind::time; break;
    case H5T_STRING: d.kind = TypeDesc::Kind::string; break;
    case H5T_BITFIELD: d.kind = TypeDesc::Kind::bitfield; break;
    case H5T_OPAQUE: d.kind = TypeDesc::Kind::opaque; break;
    case H5T_COMPOUND: d.kind = TypeDesc::Kind::compound; break;
    case H5T_REFERENCE: d.kind = TypeDesc::Kind::reference; break;
    case H5T_ENUM: d.kind = TypeDesc::Kind::enumeration; break;
    case H5T_VLEN: d.kind = TypeDesc::Kind::vlen; break;
    case H5T_ARRAY: d.kind = TypeDesc::Kind::array; break;
    default: d.kind = TypeDesc::Kind::unknown; break;
  }
  if (cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_BITFIELD) {
    d.native_name = native_type_name(type);
    d.order = ours(H5Tget_order(type));
    if (cls == H5T_INTEGER) d.sign = ours(H5Tget_sign(type));
    d.precision = H5Tget_precision(type);
    int off = H5Tget_offset(type);
    d.offset = off < 0 ? 0 : static_cast<std::size_t>(off);
    H5T_pad_t lsb, msb;
    if (H5Tget_pad(type, &lsb, &msb) >= 0) {
      d.lsb_pad = lsb;
      d.msb_pad = msb;
    }
  }
  if (cls == H5T_FLOAT) {
    d.ieee_name = ieee_type_name(type);
    H5Tget_fields(type, &d.spos, &d.epos, &d.esize, &d.mpos, &d.msize);
    d.ebias = H5Tget_ebias(type);
    d.norm = H5Tget_norm(type);
    d.inpad = H5Tget_inpad(type);
  }
  if (cls == H5T_STRING) {
    d.strpad = H5Tget_strpad(type);
    d.cset = H5Tget_cset(type);
    d.variable = H5Tis_variable_str(type) > 0;
  }
  if (cls == H5T_COMPOUND) {
    int n = H5Tget_nmembers(type);
    for (int i = 0; i < n; ++i) {
      TypeDesc::Member m;
      m.name = take_string(H5Tget_member_name(type, static_cast<unsigned>(i)));
      m.offset = H5Tget_member_offset(type, static_cast<unsigned>(i));
      DatatypeId sub(H5Tget_member_type(type, static_cast<unsigned>(i)));
      if (sub) m.type = describe_type(sub.get());
      d.members.push_back(std::move(m));
    }
  }
  if (cls == H5T_ENUM || cls == H5T_VLEN || cls == H5T_ARRAY) {
    DatatypeId super(H5Tget_super(type));
    if (super) d.super.push_back(describe_type(super.get()));
  }
  if (cls == H5T_ENUM) {
    int n = H5Tget_nmembers(type);
    std::size_t size = d.size;
    bool fits = size <= sizeof(long long);
    bool is_unsigned = H5Tget_sign(type) == H5T_SGN_NONE;
    DatatypeId super(H5Tget_super(type));
    for (int i = 0; i < n; ++i) {
      d.enum_names.push_back(take_string(H5Tget_member_name(type, static_cast<unsigned>(i))));
      std::vector<unsigned char> raw(std::max(size, sizeof(long long)), 0);
      H5Tget_member_value(type, static_cast<unsigned>(i), raw.data());
      if (fits) {
        // Convert the member value to the widest native integer, as h5ls does.
        H5Tconvert(super.get(), is_unsigned ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, 1, raw.data(), nullptr,
                   H5P_DEFAULT);
        if (is_unsigned) {
          unsigned long long v;
          std::memcpy(&v, raw.data(), sizeof v);
          d.enum_values.push_back(fmt::format("{}", v));
        } else {
          long long v;
          std::memcpy(&v, raw.data(), sizeof v);
          d.enum_values.push_back(fmt::format("{}", v));
        }
      } else {
        std::string hex = "0x";
        for (std::size_t j = 0; j < size; ++j) hex += fmt::format("{:02x}", raw[j]);
        d.enum_values.push_back(hex);
      }
    }
  }
  if (cls == H5T_ARRAY) {
    int nd = H5Tget_array_ndims(type);
    if (nd > 0) {
      std::vector<hsize_t> dims(static_cast<std::size_t>(nd));
      H5Tget_array_dims2(type, dims.data());
      d.dims.assign(dims.begin(), dims.end());
    }
  }
  if (cls == H5T_OPAQUE) {
    char* tag = H5Tget_tag(type);
    if (tag) d.tag = take_string(tag);
  }
  if (cls == H5T_REFERENCE) {
    if (types_equal(type, H5T_STD_REF_OBJ)) d.ref_kind = TypeDesc::RefKind::object;
    else if (types_equal(type, H5T_STD_REF_DSETREG)) d.ref_kind = TypeDesc::RefKind::region;
    else d.ref_kind = TypeDesc::RefKind::other;
  }
  H5Eclear2(H5E_DEFAULT);
  return d;
}

bool contains_kind(const TypeDesc& t, TypeDesc::Kind kind) {
  if (t.kind == kind) return true;
  for (const auto& m : t.members) {
    if (contains_kind(m.type, kind)) return true;
  }
  for (const auto& s : t.super) {
    if (contains_kind(s, kind)) return true;
  }
  return false;
}

ValueBuffer::~ValueBuffer() {
  if (mem_type_id && mem_space_id && !bytes.empty() && H5Tdetect_class(mem_type_id.get(), H5T_VLEN) > 0) {
    H5Dvlen_reclaim(mem_type_id.get(), mem_space_id.get(), H5P_DEFAULT, bytes.data());
  }
  // Variable-length strings are H5T_STRING class but vlen-allocated too.
  else if (mem_type_id && mem_space_id && !bytes.empty()) {
    if (H5Tdetect_class(mem_type_id.get(), H5T_STRING) > 0) {
      // H5Dvlen_reclaim is a no-op for fixed strings and frees variable ones.
      H5Dvlen_reclaim(mem_type_id.get(), mem_space_id.get(), H5P_DEFAULT, bytes.data());
    }
  }
  H5Eclear2(H5E_DEFAULT);
}

SpaceDesc describe_space(hid_t space) {
  SpaceDesc s;
  H5S_class_t k = H5Sget_simple_extent_type(space);
  s.kind = k == H5S_SCALAR   ? SpaceDesc::Kind::scalar
           : k == H5S_SIMPLE ? SpaceDesc::Kind::simple
           : k == H5S_NULL   ? SpaceDesc::Kind::null
                             : SpaceDesc::Kind::unknown;
  int nd = H5Sget_simple_extent_ndims(space);
  if (nd > 0) {
    std::vector<hsize_t> dims(static_cast<std::size_t>(nd)), maxd(static_cast<std::size_t>(nd));
    H5Sget_simple_extent_dims(space, dims.data(), maxd.data());
    s.dims.assign(dims.begin(), dims.end());
    for (hsize_t m : maxd) s.maxdims.push_back(m == H5S_UNLIMITED ? std::numeric_limits<std::uint64_t>::max() : m);
  }
  hssize_t n = H5Sget_simple_extent_npoints(space);
  s.npoints = n < 0 ? 0 : static_cast<std::uint64_t>(n);
  H5Eclear2(H5E_DEFAULT);
  return s;
}

namespace {
ObjectInfo to_info(const H5O_info_t& oi) {
  ObjectInfo info;
  info.type = ours(oi.type);
  info.fileno = oi.fileno;
  info.addr = oi.addr;
  info.rc = oi.rc;
  info.mtime = static_cast<std::int64_t>(oi.mtime);
  info.num_attrs = oi.num_attrs;
  return info;
}

void fill_link(hid_t loc, const char* name, const H5L_info_t& li, LinkEntry& e) {
  e.link_type = ours(li.type);
  if (li.type == H5L_TYPE_SOFT || li.type == H5L_TYPE_EXTERNAL) {
    std::vector<char> buf(li.u.val_size + 1, '\0');
    if (H5Lget_val(loc, name, buf.data(), buf.size(), H5P_DEFAULT) >= 0) {
      if (li.type == H5L_TYPE_SOFT) {
        e.soft_target = buf.data();
      } else {
        const char* file = nullptr;
        const char* path = nullptr;
        if (H5Lunpack_elink_val(buf.data(), li.u.val_size, nullptr, &file, &path) >= 0) {
          e.ext_file = file ? file : "";
          e.ext_path = path ? path : "";
        }
      }
    }
    H5Eclear2(H5E_DEFAULT);
  }
}

std::string file_name(hid_t loc) {
  ssize_t n = H5Fget_name(loc, nullptr, 0);
  if (n <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return "?";
  }
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  H5Fget_name(loc, s.data(), s.size());
  s.resize(static_cast<std::size_t>(n));
  return s;
}

struct VisitState {
  std::string base;
  bool add_slash = true;
  std::map<std::uint64_t, std::string> seen;  // object address -> first path (objects with rc > 1)
  // Every group reached so far. H5Lvisit only remembers groups whose link
  // count is above 1, so a damaged link back to an ancestor whose count says 1
  // would send it round the cycle until the stack runs out.
  std::map<std::uint64_t, std::string> groups;
  const std::function<void(const LinkEntry&)>* fn = nullptr;
  std::exception_ptr error;
};

herr_t visit_cb(hid_t loc, const char* name, const H5L_info_t* li, void* data) {
  auto* st = static_cast<VisitState*>(data);
  try {
    LinkEntry e;
    e.path = st->base + (st->add_slash ? "/" : "") + name;
    util::breadcrumb_object(e.path);
    fill_link(loc, name, *li, e);
    if (li->type == H5L_TYPE_HARD) {
      H5O_info_t oi;
      if (H5Oget_info_by_name2(loc, name, &oi, H5O_INFO_BASIC | H5O_INFO_TIME | H5O_INFO_NUM_ATTRS, H5P_DEFAULT) <
          0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
      }
      e.info = to_info(oi);
      if (oi.type == H5O_TYPE_GROUP) {
        auto [it, first] = st->groups.emplace(oi.addr, e.path);
        if (!first && oi.rc <= 1) {
          throw Error(ErrorKind::io,
                      fmt::format("{}: {}: link cycle: the group at address {} was already reached as {}, yet its "
                                  "link count is {} (damaged file)",
                                  file_name(loc), e.path, oi.addr, it->second, oi.rc));
        }
      }
      if (oi.rc > 1) {
        auto it = st->seen.find(oi.addr);
        if (it != st->seen.end()) e.first_seen = it->second;
        else st->seen.emplace(oi.addr, e.path);
      }
    }
    (*st->fn)(e);
  } catch (...) {
    st->error = std::current_exception();
    return -1;
  }
  return 0;
}
}  // namespace

std::optional<ObjectInfo> object_info(hid_t loc, const std::string& name) {
  H5O_info_t oi;
  if (H5Oget_info_by_name2(loc, name.c_str(), &oi, H5O_INFO_BASIC | H5O_INFO_TIME | H5O_INFO_NUM_ATTRS,
                           H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  return to_info(oi);
}

std::optional<LinkEntry> link_info(hid_t loc, const std::string& name) {
  H5L_info_t li;
  if (H5Lget_info(loc, name.c_str(), &li, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  LinkEntry e;
  e.path = name;
  fill_link(loc, name.c_str(), li, e);
  return e;
}

void visit_links(hid_t file, const std::string& group_path, bool recursive,
                 const std::function<void(const LinkEntry&)>& fn) {
  VisitState st;
  if (recursive) {
    if (auto start = object_info(file, group_path)) st.groups.emplace(start->addr, group_path);
  }
  st.base = group_path;
  st.add_slash = group_path.empty() || group_path.back() != '/';
  st.fn = &fn;
  herr_t r;
  if (recursive) {
    r = H5Lvisit_by_name(file, group_path.c_str(), H5_INDEX_NAME, H5_ITER_INC, visit_cb, &st, H5P_DEFAULT);
  } else {
    r = H5Literate_by_name(file, group_path.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr, visit_cb, &st,
                           H5P_DEFAULT);
  }
  if (st.error) std::rethrow_exception(st.error);
  if (r < 0) check(r, recursive ? "H5Lvisit_by_name" : "H5Literate_by_name");
}

void visit_children_h5py_order(hid_t file, const std::string& group_path,
                               const std::function<void(const LinkEntry&)>& fn) {
  H5_index_t index = H5_INDEX_NAME;
  {
    ObjectId group(check_id(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), "H5Gopen2"));
    PropListId gcpl(check_id(H5Gget_create_plist(group.get()), "H5Gget_create_plist"));
    unsigned flags = 0;
    if (H5Pget_link_creation_order(gcpl.get(), &flags) >= 0 && (flags & H5P_CRT_ORDER_TRACKED)) {
      index = H5_INDEX_CRT_ORDER;
    }
    H5Eclear2(H5E_DEFAULT);
  }
  VisitState st;
  st.base = group_path;
  st.add_slash = group_path.empty() || group_path.back() != '/';
  st.fn = &fn;
  herr_t r = H5Literate_by_name(file, group_path.c_str(), index, H5_ITER_INC, nullptr, visit_cb, &st, H5P_DEFAULT);
  if (st.error) std::rethrow_exception(st.error);
  if (r < 0) check(r, "H5Literate_by_name");
}

ObjectId open_object(hid_t loc, const std::string& name) {
  util::breadcrumb_object(name);
  return ObjectId(check_id(H5Oopen(loc, name.c_str(), H5P_DEFAULT), "H5Oopen"));
}

namespace {
struct AttrState {
  const std::function<void(const AttributeDesc&)>* fn;
  std::exception_ptr error;
};
herr_t attr_cb(hid_t obj, const char* name, const H5A_info_t*, void* data) {
  auto* st = static_cast<AttrState*>(data);
  try {
    util::heartbeat();
    AttributeDesc a;
    a.name = name;
    AttributeId attr(H5Aopen(obj, name, H5P_DEFAULT));
    if (!attr) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
    DataspaceId space(H5Aget_space(attr.get()));
    DatatypeId type(H5Aget_type(attr.get()));
    a.space = describe_space(space.get());
    a.type = describe_type(type.get());
    a.attr = attr.get();
    (*st->fn)(a);
  } catch (...) {
    st->error = std::current_exception();
    return -1;
  }
  return 0;
}
}  // namespace

void visit_attributes(hid_t obj, const std::function<void(const AttributeDesc&)>& fn) {
  AttrState st{&fn, nullptr};
  herr_t r = H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, attr_cb, &st);
  if (st.error) std::rethrow_exception(st.error);
  if (r < 0) H5Eclear2(H5E_DEFAULT);
}

namespace {

// The whole attribute read into `mem_type` (owned by the result), described by `described`.
ValueBuffer read_attribute_as(hid_t attr, DatatypeId mem_type, TypeDesc described) {
  ValueBuffer vb;
  vb.mem_type_id = std::move(mem_type);
  vb.mem_type = std::move(described);
  vb.mem_space_id = DataspaceId(check_id(H5Aget_space(attr), "H5Aget_space"));
  hssize_t n = H5Sget_simple_extent_npoints(vb.mem_space_id.get());
  vb.count = n < 0 ? 0 : static_cast<std::uint64_t>(n);
  // H5Aread packs elements at the memory type's size, which for a compound
  // with gaps or an n-bit integer is smaller than the file type's.
  vb.bytes.assign(static_cast<std::size_t>(vb.count) * vb.mem_type.size, std::byte{0});
  if (vb.count > 0 && H5Aread(attr, vb.mem_type_id.get(), vb.bytes.data()) < 0) {
    vb.bytes.clear();
    check(-1, "H5Aread");
  }
  return vb;
}

}  // namespace

ValueBuffer read_attribute_values(hid_t attr) {
  DatatypeId ftype(check_id(H5Aget_type(attr), "H5Aget_type"));
  DatatypeId native(check_id(H5Tget_native_type(ftype.get(), H5T_DIR_DEFAULT), "H5Tget_native_type"));
  TypeDesc described = describe_type(native.get());
  return read_attribute_as(attr, std::move(native), std::move(described));
}

ValueBuffer read_attribute_stored(hid_t attr) {
  DatatypeId ftype(check_id(H5Aget_type(attr), "H5Aget_type"));
  TypeDesc stored = describe_type(ftype.get());
  if (holds_variable_length(stored) || contains_kind(stored, TypeDesc::Kind::reference)) {
    throw_unsupported("an attribute holding variable-length data or references has no stored bytes to read");
  }
  return read_attribute_as(attr, std::move(ftype), std::move(stored));
}

DatasetDesc describe_dataset(hid_t dset) {
  DatasetDesc d;
  DataspaceId space(check_id(H5Dget_space(dset), "H5Dget_space"));
  DatatypeId type(check_id(H5Dget_type(dset), "H5Dget_type"));
  PropListId dcpl(check_id(H5Dget_create_plist(dset), "H5Dget_create_plist"));
  d.space = describe_space(space.get());
  d.type = describe_type(type.get());
  H5D_layout_t layout = H5Pget_layout(dcpl.get());
  d.layout = ours(layout);
  if (layout == H5D_CHUNKED) {
    std::array<hsize_t, 64> ch{};
    int nd = H5Pget_chunk(dcpl.get(), static_cast<int>(ch.size()), ch.data());
    for (int i = 0; i < nd; ++i) d.chunk.push_back(ch[static_cast<std::size_t>(i)]);
  }
  if (layout == H5D_CONTIGUOUS) {
    int nf = H5Pget_external_count(dcpl.get());
    for (int i = 0; i < nf; ++i) {
      std::array<char, 256> name{};
      off_t off = 0;
      hsize_t size = 0;
      if (H5Pget_external(dcpl.get(), static_cast<unsigned>(i), name.size(), name.data(), &off, &size) < 0) {
        H5Eclear2(H5E_DEFAULT);
        continue;
      }
      ExternalFile e;
      e.name = name.data();
      e.offset = off;
      e.size = size == H5F_UNLIMITED ? std::numeric_limits<std::uint64_t>::max() : size;
      d.external.push_back(std::move(e));
    }
  }
  if (layout == H5D_VIRTUAL) {
    size_t n = 0;
    H5Pget_virtual_count(dcpl.get(), &n);
    for (size_t i = 0; i < n; ++i) {
      std::array<char, 256> f{}, ds{};
      H5Pget_virtual_filename(dcpl.get(), i, f.data(), f.size());
      H5Pget_virtual_dsetname(dcpl.get(), i, ds.data(), ds.size());
      d.virtual_maps.push_back({f.data(), ds.data()});
    }
  }
  d.storage_size = H5Dget_storage_size(dset);
  int nf = H5Pget_nfilters(dcpl.get());
  for (int i = 0; i < nf; ++i) {
    FilterDesc f;
    std::array<unsigned, 20> cd{};
    std::size_t ncd = cd.size();
    std::array<char, 256> name{};
    H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &f.flags, &ncd, cd.data(), name.size(),
                                     name.data(), nullptr);
    name.back() = '\0';
    f.id = static_cast<unsigned>(id);
    f.name = name.data();
    f.cd_values.assign(cd.begin(), cd.begin() + static_cast<std::ptrdiff_t>(std::min(ncd, cd.size())));
    d.filters.push_back(std::move(f));
  }
  H5Eclear2(H5E_DEFAULT);
  return d;
}

std::string object_comment(hid_t obj) {
  ssize_t n = H5Oget_comment(obj, nullptr, 0);
  if (n <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  n = H5Oget_comment(obj, s.data(), s.size());
  if (n <= 0) return {};
  s.resize(static_cast<std::size_t>(n));
  return s;
}

ValueBuffer read_dataset_values(hid_t dset, const std::vector<std::uint64_t>& start,
                                const std::vector<std::uint64_t>& count, const std::vector<std::uint64_t>& step) {
  ValueBuffer vb;
  DatatypeId ftype(check_id(H5Dget_type(dset), "H5Dget_type"));
  vb.mem_type_id = DatatypeId(check_id(H5Tget_native_type(ftype.get(), H5T_DIR_DEFAULT), "H5Tget_native_type"));
  vb.mem_type = describe_type(vb.mem_type_id.get());
  DataspaceId fspace(check_id(H5Dget_space(dset), "H5Dget_space"));
  std::uint64_t n = 1;
  for (auto c : count) n *= c;
  if (start.empty()) {
    vb.mem_space_id = DataspaceId(check_id(H5Screate(H5S_SCALAR), "H5Screate"));
    n = 1;
  } else {
    std::vector<hsize_t> s(start.begin(), start.end()), c(count.begin(), count.end()), st(step.begin(), step.end());
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, s.data(), st.empty() ? nullptr : st.data(), c.data(),
                              nullptr),
          "H5Sselect_hyperslab");
    vb.mem_space_id = DataspaceId(check_id(H5Screate_simple(static_cast<int>(c.size()), c.data(), nullptr),
                                           "H5Screate_simple"));
  }
  vb.count = n;
  // H5Dread packs elements at the memory type's size (see read_attribute_values).
  vb.bytes.assign(static_cast<std::size_t>(n) * vb.mem_type.size, std::byte{0});
  util::heartbeat();
  if (n > 0) {
    if (H5Dread(dset, vb.mem_type_id.get(), vb.mem_space_id.get(), fspace.get(), H5P_DEFAULT, vb.bytes.data()) < 0) {
      vb.bytes.clear();
      check(-1, "H5Dread");
    }
  }
  return vb;
}

ValueBuffer values_from_stored(hid_t dset, std::span<const std::byte> stored, std::uint64_t count) {
  ValueBuffer vb;
  DatatypeId ftype(check_id(H5Dget_type(dset), "H5Dget_type"));
  vb.mem_type_id = DatatypeId(check_id(H5Tget_native_type(ftype.get(), H5T_DIR_DEFAULT), "H5Tget_native_type"));
  vb.mem_type = describe_type(vb.mem_type_id.get());
  const std::size_t fsize = H5Tget_size(ftype.get());
  if (stored.size() != count * fsize) {
    throw Error(ErrorKind::corrupt, fmt::format("{} stored bytes for {} elements of {} bytes", stored.size(), count, fsize));
  }
  vb.count = count;
  // H5Tconvert works in place in a buffer large enough for either type; the
  // background buffer is for compounds (members the source lacks stay zero).
  std::vector<std::byte> buf(static_cast<std::size_t>(count) * std::max(fsize, vb.mem_type.size));
  std::copy(stored.begin(), stored.end(), buf.begin());
  std::vector<std::byte> background(static_cast<std::size_t>(count) * vb.mem_type.size);
  if (count > 0) {
    check(H5Tconvert(ftype.get(), vb.mem_type_id.get(), static_cast<std::size_t>(count), buf.data(), background.data(),
                     H5P_DEFAULT),
          "H5Tconvert");
  }
  buf.resize(static_cast<std::size_t>(count) * vb.mem_type.size);
  vb.bytes = std::move(buf);
  hsize_t n = count;
  vb.mem_space_id = DataspaceId(check_id(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
  return vb;
}

void read_raw_slab(hid_t dset, const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count,
                   std::vector<std::byte>& out) {
  DatatypeId ftype(check_id(H5Dget_type(dset), "H5Dget_type"));
  DataspaceId fspace(check_id(H5Dget_space(dset), "H5Dget_space"));
  DataspaceId mspace;
  std::uint64_t n = 1;
  if (start.empty()) {
    mspace = DataspaceId(check_id(H5Screate(H5S_SCALAR), "H5Screate"));
  } else {
    std::vector<hsize_t> s(start.begin(), start.end()), c(count.begin(), count.end());
    for (auto v : c) n *= v;
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, s.data(), nullptr, c.data(), nullptr),
          "H5Sselect_hyperslab");
    mspace = DataspaceId(check_id(H5Screate_simple(static_cast<int>(c.size()), c.data(), nullptr), "H5Screate_simple"));
  }
  out.resize(static_cast<std::size_t>(n) * H5Tget_size(ftype.get()));
  if (n == 0) return;
  check(H5Dread(dset, ftype.get(), mspace.get(), fspace.get(), H5P_DEFAULT, out.data()), "H5Dread");
}

std::uint64_t raw_data_address(hid_t dset) { return H5Dget_offset(dset); }

std::string debug_text(hid_t dset) {
  std::fflush(stdout);
  std::FILE* tmp = std::tmpfile();
  if (!tmp) return {};
  int saved = ::dup(STDOUT_FILENO);
  if (saved < 0) {
    std::fclose(tmp);
    return {};
  }
  ::dup2(::fileno(tmp), STDOUT_FILENO);
  H5Ddebug(dset);
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  H5Eclear2(H5E_DEFAULT);
  std::string out;
  std::rewind(tmp);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, tmp)) > 0) out.append(buf, n);
  std::fclose(tmp);
  return out;
}

RefTarget::~RefTarget() {
  if (object >= 0) H5Oclose(object);
}

RefTarget dereference_object(hid_t loc, const void* ref) {
  RefTarget t;
  hid_t obj = H5Rdereference2(loc, H5P_DEFAULT, H5R_OBJECT, ref);
  if (obj < 0) {
    H5Eclear2(H5E_DEFAULT);
    return t;
  }
  t.object = obj;
  H5O_info_t oi;
  if (H5Oget_info2(obj, &oi, H5O_INFO_BASIC) >= 0) {
    t.fileno = oi.fileno;
    t.addr = oi.addr;
    t.kind = oi.type == H5O_TYPE_DATASET ? "DATASET" : oi.type == H5O_TYPE_GROUP ? "GROUP" : "DATATYPE";
  }
  H5Eclear2(H5E_DEFAULT);
  return t;
}

}  // namespace h5dig::h5

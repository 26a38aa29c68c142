// _h5dig.File: opening, names (keys, visit), object kinds, attributes,
// dimension scales; and the datatype -> numpy dtype mapping.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "binding.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/numpy_dtype.hpp"

namespace h5dig::python {

using namespace pybind11::literals;

OpenFile::OpenFile(std::string p) : path(std::move(p)) {}

OpenFile::~OpenFile() {
  // Runs where Python drops its last reference, with the GIL held: taking the
  // door here is safe because no holder of the door ever waits for the GIL.
  auto door = h5::lock_hdf5();
  file.reset();
}

const h5::File& OpenFile::get() const {
  if (!file) throw_io(fmt::format("{}: file is closed", path));
  return *file;
}

void OpenFile::close() {
  closed = true;
  with_hdf5([&] {
    file.reset();
    return 0;
  });
}

py::object compound_dtype(const h5::TypeDesc& t, const std::function<py::object(const h5::TypeDesc&)>& field_dtype) {
  py::list names, formats, offsets;
  for (const auto& m : t.members) {
    names.append(m.name);
    formats.append(field_dtype(m.type));
    offsets.append(m.offset);
  }
  return py::module_::import("numpy").attr("dtype")(
      py::dict("names"_a = names, "formats"_a = formats, "offsets"_a = offsets, "itemsize"_a = t.size));
}

namespace {

// NumPy's dtype for a .npy descr (h5/numpy_dtype.hpp), with the subshape of a
// top-level array type.
py::object descr_dtype(const h5::NumpyDtype& n) {
  py::object descr = py::str(n.descr);
  if (!n.descr.empty() && n.descr[0] == '[') descr = py::module_::import("ast").attr("literal_eval")(descr);
  py::object dt = py::module_::import("numpy.lib.format").attr("descr_to_dtype")(descr);
  if (!n.subshape.empty()) dt = py::module_::import("numpy").attr("dtype")(py::make_tuple(dt, py::cast(n.subshape)));
  return dt;
}

// h5py's dtype for `t`, as h5py 3's TypeID.py_dtype builds it: the .npy
// mapping (h5/numpy_dtype.hpp) for numbers and raw bytes, and beyond what a
// .npy descr can say: a compound's fields in HDF5's member order with their
// offsets (not sorted by offset); object fields for variable-length data and
// references; and the metadata h5py's helpers read (h5py.check_string_dtype:
// {'h5py_encoding': 'ascii' | 'utf-8'} on fixed strings, {'vlen': str | bytes}
// on variable-length ones; check_vlen_dtype: {'vlen': base} on sequences;
// check_enum_dtype: {'enum': {name: value}} on enums).
py::object h5py_dtype(const h5::TypeDesc& t) {
  using K = h5::TypeDesc::Kind;
  py::object dtype = py::module_::import("numpy").attr("dtype");
  constexpr int kCsetUtf8 = 1;  // H5T_CSET_UTF8
  const h5::NumpyDtype n = h5::numpy_dtype(t);
  switch (t.kind) {
    case K::string: {
      if (t.variable) {
        PyObject* kind = t.cset == kCsetUtf8 ? reinterpret_cast<PyObject*>(&PyUnicode_Type)
                                             : reinterpret_cast<PyObject*>(&PyBytes_Type);
        return dtype("O", "metadata"_a = py::dict("vlen"_a = py::reinterpret_borrow<py::object>(kind)));
      }
      return dtype(n.descr, "metadata"_a = py::dict("h5py_encoding"_a = t.cset == kCsetUtf8 ? "utf-8" : "ascii"));
    }
    case K::vlen:
      if (t.super.size() != 1) return dtype("O");
      return dtype("O", "metadata"_a = py::dict("vlen"_a = h5py_dtype(t.super[0])));
    case K::reference:
      return dtype("O");  // h5py adds {'ref': its Reference class}; h5dig has no such objects
    case K::enumeration: {
      if (n.descr == "|b1" || t.super.empty()) break;  // h5py's bool
      py::dict values;
      for (std::size_t i = 0; i < t.enum_names.size() && i < t.enum_values.size(); ++i) {
        const std::string& v = t.enum_values[i];
        if (v.rfind("0x", 0) == 0) return descr_dtype(n);  // wider than 64 bits: no Python value here
        values[py::str(t.enum_names[i])] = py::int_(py::str(v));
      }
      return dtype(h5py_dtype(t.super[0]), "metadata"_a = py::dict("enum"_a = values));
    }
    case K::compound: {
      // Complex numbers and overlapping members: the .npy mapping's (complex,
      // or raw bytes); every other compound in HDF5's member order.
      if (n.fixed_size && (n.descr.empty() || n.descr[0] != '[')) break;
      return compound_dtype(t, h5py_dtype);
    }
    case K::array:
      if (t.super.empty()) break;
      return dtype(py::make_tuple(h5py_dtype(t.super[0]), py::cast(t.dims)));
    default:
      break;
  }
  return descr_dtype(n);
}

}  // namespace

std::optional<py::dtype> stored_sequence_layout(const h5::TypeDesc& stored, const py::dtype& memory_base) {
  if (stored.kind != h5::TypeDesc::Kind::vlen || stored.super.size() != 1) return std::nullopt;
  py::dtype want = to_dtype(stored.super[0], false);
  if (want.equal(memory_base) || want.attr("names").is_none() || memory_base.attr("names").is_none()) return std::nullopt;
  return want;
}

py::dtype to_dtype(const h5::TypeDesc& type, bool top) {
  const h5::NumpyDtype n = h5::numpy_dtype(type);
  // Variable-length data and references are Python objects only at the top
  // level, where the binding converts them element by element; elsewhere raw
  // bytes, never pointers numpy would follow.
  if (!n.fixed_size && !top) return py::dtype("|V" + std::to_string(type.size));
  try {
    return py::reinterpret_borrow<py::dtype>(h5py_dtype(type));
  } catch (const py::error_already_set&) {
    // A compound NumPy refuses in h5py's form (an empty or repeated member
    // name): the .npy form, fields in offset order, the same bytes.
    if (!n.fixed_size) return py::dtype("O");
    return py::reinterpret_borrow<py::dtype>(descr_dtype(n));
  }
}

std::vector<AttrValue> read_attributes(const h5::File& file, const std::string& object_path) {
  std::vector<AttrValue> values;
  h5::ObjectId object = h5::open_object(file.id(), object_path.empty() ? "/" : object_path);
  h5::visit_attributes(object.get(), [&](const h5::AttributeDesc& a) {
    AttrValue v;
    v.name = a.name;
    v.space = a.space;
    v.stored_type = a.type;
    // Fixed-size values as stored (h5py's dtype describes the file's bytes:
    // big-endian stays big-endian, a compound keeps its offsets); variable-length
    // data through HDF5's native memory type, the only way to get it.
    const bool stored = !h5::holds_variable_length(a.type) && !h5::contains_kind(a.type, h5::TypeDesc::Kind::reference);
    h5::ValueBuffer buffer;
    try {
      buffer = stored ? h5::read_attribute_stored(a.attr) : h5::read_attribute_values(a.attr);
      if (stored) h5::apply_value_fixes(h5::value_fixes(a.type), a.type.size, buffer.bytes);
    } catch (const Error& e) {
      v.type = a.type;
      v.error.emplace(e.kind() == ErrorKind::usage ? ErrorKind::unsupported : e.kind(),
                      fmt::format("{}: attribute '{}': {}", object_path.empty() ? "/" : object_path, a.name, e.what()));
      values.push_back(std::move(v));
      return;
    }
    v.type = buffer.mem_type;
    using K = h5::TypeDesc::Kind;
    const std::size_t elem = buffer.mem_type.size;
    if (buffer.mem_type.kind == K::string && buffer.mem_type.variable) {
      for (std::uint64_t i = 0; i < buffer.count; ++i) {
        const char* s = nullptr;
        std::memcpy(&s, buffer.bytes.data() + i * sizeof(char*), sizeof(char*));
        v.strings.push_back(s ? std::optional<std::string>(s) : std::nullopt);
      }
    } else if (buffer.mem_type.kind == K::vlen && !buffer.mem_type.super.empty()) {
      const std::size_t base = buffer.mem_type.super[0].size;
      for (std::uint64_t i = 0; i < buffer.count; ++i) {
        h5::VlenValue h;
        std::memcpy(&h, buffer.bytes.data() + i * sizeof(h5::VlenValue), sizeof(h5::VlenValue));
        const auto* p = static_cast<const std::byte*>(h.p);
        v.sequences.emplace_back(p, p + h.len * base);
      }
    } else {
      v.bytes.assign(buffer.bytes.begin(), buffer.bytes.begin() + static_cast<std::ptrdiff_t>(buffer.count * elem));
    }
    values.push_back(std::move(v));
  });
  return values;
}

py::object to_python(const AttrValue& v) {
  using K = h5::TypeDesc::Kind;
  const bool scalar = v.space.kind == h5::SpaceDesc::Kind::scalar;
  if (v.space.kind == h5::SpaceDesc::Kind::null) {  // no value at all: h5py's Empty(dtype)
    return py::module_::import("h5dig._types").attr("Empty")(to_dtype(v.type, true));
  }
  std::vector<py::ssize_t> shape(v.space.dims.begin(), v.space.dims.end());
  if (v.type.kind == K::string && v.type.variable) {
    // h5py: variable-length strings come back as str.
    py::list items;
    for (const auto& s : v.strings) {
      if (!s) items.append(py::str(""));
      else items.append(py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(s->data(), static_cast<py::ssize_t>(s->size()), "surrogateescape")));
    }
    if (scalar) return items.empty() ? py::object(py::str("")) : py::object(items[0]);
    py::object np = py::module_::import("numpy");
    return np.attr("array")(items, "dtype"_a = to_dtype(v.stored_type, true)).attr("reshape")(py::tuple(py::cast(shape)));
  }
  if (v.type.kind == K::vlen) {
    py::dtype base = v.type.super.empty() ? py::dtype("u1") : to_dtype(v.type.super[0], false);
    const std::optional<py::dtype> stored_base = stored_sequence_layout(v.stored_type, base);
    py::object np = py::module_::import("numpy");
    py::object out = np.attr("empty")(py::cast(scalar ? std::vector<py::ssize_t>{} : shape),
                                      "dtype"_a = to_dtype(v.stored_type, true));
    py::object flat = out.attr("reshape")(-1);
    for (std::size_t i = 0; i < v.sequences.size(); ++i) {
      const auto& seq = v.sequences[i];
      py::array a(base, std::vector<py::ssize_t>{static_cast<py::ssize_t>(seq.size() / std::max<std::size_t>(1, static_cast<std::size_t>(base.itemsize())))});
      std::memcpy(a.mutable_data(), seq.data(), seq.size());
      flat[py::int_(i)] = stored_base ? a.attr("astype")(*stored_base) : py::object(a);
    }
    return scalar ? py::object(out.attr("item")()) : out;
  }
  py::dtype dt = to_dtype(v.type, false);
  py::array a(dt, shape);
  if (static_cast<std::size_t>(a.nbytes()) != v.bytes.size()) {
    throw_unsupported(fmt::format("attribute '{}': {} bytes of values for a {} of {} bytes", v.name, v.bytes.size(),
                                  py::str(py::handle(dt)).cast<std::string>(), a.nbytes()));
  }
  std::memcpy(a.mutable_data(), v.bytes.data(), v.bytes.size());
  if (scalar) return a[py::tuple()];  // numpy scalar, as h5py gives
  return a;
}

py::list filters_to_python(const std::vector<codec::FilterSpec>& filters) {
  py::object filter_type = py::module_::import("h5dig._types").attr("Filter");
  py::list out;
  for (const auto& f : filters) {
    std::string name = codec::filter_name(f.id);
    if (name.empty()) name = f.name;
    py::tuple cd(f.cd_values.size());
    for (std::size_t i = 0; i < f.cd_values.size(); ++i) cd[i] = f.cd_values[i];
    out.append(filter_type(name, f.id, cd, f.flags));
  }
  return out;
}

std::vector<codec::FilterSpec> filters_from_python(py::handle filters) {
  std::vector<codec::FilterSpec> specs;
  if (filters.is_none()) return specs;
  for (py::handle f : filters) {
    codec::FilterSpec s;
    if (py::hasattr(f, "id")) {
      s.id = f.attr("id").cast<unsigned>();
      if (py::hasattr(f, "cd_values")) s.cd_values = f.attr("cd_values").cast<std::vector<unsigned>>();
      if (py::hasattr(f, "flags")) s.flags = f.attr("flags").cast<unsigned>();
    } else {
      // (id, cd_values) or (id, cd_values, flags)
      auto t = f.cast<py::tuple>();
      if (t.size() < 1 || t.size() > 3) throw py::value_error("a filter is h5dig.Filter or (id, cd_values[, flags])");
      s.id = t[0].cast<unsigned>();
      if (t.size() > 1) s.cd_values = t[1].cast<std::vector<unsigned>>();
      if (t.size() > 2) s.flags = t[2].cast<unsigned>();
    }
    s.name = codec::filter_name(s.id);
    specs.push_back(std::move(s));
  }
  return specs;
}

namespace {

// "/a/b" and "a/b" name the same object; "" and "/" the root.
class File {
 public:
  explicit File(const std::string& path) : open_(std::make_shared<OpenFile>(path)) {
    with_hdf5([&] {
      h5::init();
      open_->file.emplace(h5::File::open(path));
      return 0;
    });
  }

  std::shared_ptr<OpenFile> open_file() const { return open_; }
  const std::string& path() const { return open_->path; }
  void close() { open_->close(); }
  bool is_open() const { return open_->file.has_value(); }

  // "group", "dataset", "datatype", or None when nothing resolves.
  py::object kind(const Name& path) const {
    h5::ObjectType type = with_hdf5([&] {
      const std::string p = absolute_object_path(path.bytes);
      if (p == "/") return h5::ObjectType::group;
      auto root = open_->get().root();
      if (!root.exists(p)) return h5::ObjectType::unknown;
      return root.object_type(p);
    });
    switch (type) {
      case h5::ObjectType::group: return py::str("group");
      case h5::ObjectType::dataset: return py::str("dataset");
      case h5::ObjectType::named_datatype: return py::str("datatype");
      default: return py::none();
    }
  }

  // Member names of a group, in name order (h5py's keys()).
  std::vector<Name> keys(const Name& group) const {
    return with_hdf5([&] {
      std::vector<Name> names;
      const std::string p = absolute_object_path(group.bytes);
      h5::visit_links(open_->get().id(), p, false, [&](const h5::LinkEntry& e) {
        names.push_back({e.path.substr(e.path.rfind('/') + 1)});
      });
      return names;
    });
  }

  // Paths below `group` relative to it, depth first in name order, each object
  // once (h5py's visit()).
  std::vector<Name> visit(const Name& group) const {
    return with_hdf5([&] {
      std::vector<Name> names;
      const std::string p = absolute_object_path(group.bytes);
      const std::size_t cut = p == "/" ? 1 : p.size() + 1;
      h5::visit_links(open_->get().id(), p, true, [&](const h5::LinkEntry& e) {
        if (e.link_type != h5::LinkType::hard || e.first_seen) return;
        names.push_back({e.path.substr(cut)});
      });
      return names;
    });
  }

  py::dict attrs(const Name& path) const {
    auto values = with_hdf5([&] { return read_attributes(open_->get(), absolute_object_path(path.bytes)); });
    py::dict d;
    for (const auto& v : values) {
      // An unreadable attribute is an Error instance here; AttributeManager
      // raises it when that attribute is asked for.
      d[py::cast(Name{v.name})] = v.error ? error_object(*v.error) : to_python(v);
    }
    return d;
  }

  // For each dimension of the dataset, the path of the dimension scale attached
  // to it (the first, from its DIMENSION_LIST attribute), or None.
  py::list dimension_scales(const Name& path) {
    auto scales = with_hdf5([&] {
      const std::string p = absolute_object_path(path.bytes);
      std::vector<std::optional<std::string>> out;
      auto root = open_->get().root();
      auto ds = root.open_dataset(p);
      const int rank = ds.space().rank();
      out.resize(static_cast<std::size_t>(std::max(rank, 0)));
      if (!ds.has_attribute("DIMENSION_LIST")) return out;
      h5::Attribute attr = ds.open_attribute("DIMENSION_LIST");
      h5::ValueBuffer buffer = h5::read_attribute_values(attr.id());
      using K = h5::TypeDesc::Kind;
      if (buffer.mem_type.kind != K::vlen || buffer.mem_type.super.empty() ||
          buffer.mem_type.super[0].kind != K::reference || buffer.mem_type.super[0].size != sizeof(h5::ObjectRef)) {
        return out;
      }
      if (!open_->paths_by_address) {
        std::vector<std::pair<std::uint64_t, std::string>> table;
        h5::visit_links(open_->get().id(), "/", true, [&](const h5::LinkEntry& e) {
          if (e.link_type == h5::LinkType::hard && !e.first_seen) table.emplace_back(e.info.addr, e.path);
        });
        std::sort(table.begin(), table.end());
        open_->paths_by_address = std::move(table);
      }
      const auto& table = *open_->paths_by_address;
      for (std::uint64_t i = 0; i < buffer.count && i < out.size(); ++i) {
        h5::VlenValue h;
        std::memcpy(&h, buffer.bytes.data() + i * sizeof(h5::VlenValue), sizeof(h5::VlenValue));
        if (h.len < 1 || !h.p) continue;
        h5::ObjectRef ref;
        std::memcpy(&ref, h.p, sizeof(ref));
        auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(static_cast<std::uint64_t>(ref), std::string()));
        if (it != table.end() && it->first == ref) {
          std::string found = it->second;
          if (found.rfind("//", 0) == 0) found.erase(0, 1);
          out[i] = found;
        }
      }
      return out;
    });
    py::list l;
    for (const auto& s : scales) l.append(s ? py::cast(Name{*s}) : py::object(py::none()));
    return l;
  }

 private:
  std::shared_ptr<OpenFile> open_;
};

}  // namespace

void bind_file(py::module_& m) {
  py::class_<File>(m, "File")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def_property_readonly("path", &File::path)
      .def_property_readonly("is_open", &File::is_open)
      .def("close", &File::close)
      .def("kind", &File::kind, py::arg("path"))
      .def("keys", &File::keys, py::arg("group") = "/")
      .def("visit", &File::visit, py::arg("group") = "/")
      .def("attrs", &File::attrs, py::arg("path"))
      .def("dimension_scales", &File::dimension_scales, py::arg("path"));
}

std::shared_ptr<OpenFile> open_file_of(py::handle file) { return file.cast<File&>().open_file(); }

}  // namespace h5dig::python

// _h5dig.Dataset: metadata, reads through io::ParallelReader (GIL released),
// numpy basic indexing, chunk tables; and the module-level kerchunk() and decode().
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "binding.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/chunk/chunk_map.hpp"
#include "h5dig/chunk/chunk_report.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/h5/read_support.hpp"
#include "h5dig/io/output_memory.hpp"
#include "h5dig/io/selection.hpp"
#include "h5dig/io/value_batches.hpp"
#include "h5dig/util/progress.hpp"
#include "h5dig/util/sizes.hpp"

namespace h5dig::python {

using namespace pybind11::literals;

namespace {

// What Python asks of a dataset without reading it, gathered once.
struct DatasetMeta {
  std::vector<std::uint64_t> shape, maxshape, chunks;
  bool scalar = false;
  bool null = false;  // a null dataspace: no elements, not even one (h5py: shape None, values Empty)
  h5::Layout layout = h5::Layout::error;
  h5::TypeDesc type;  // stored (file) type
  std::vector<codec::FilterSpec> filters;
  // Variable-length data anywhere in the type: read as values (io/value_batches.hpp),
  // not through ParallelReader.
  bool variable_length = false;
  // The fill value's stored bytes (fixed-size types only; empty otherwise).
  std::vector<std::byte> fill;
};

// How ds.asstr() turns variable-length strings into str.
struct StrDecode {
  std::string encoding, errors;
};

// numpy basic indexing (integers, slices with steps, one Ellipsis) resolved
// against the shape: the hyperslab ParallelReader reads and the result's shape.
struct Index {
  io::Selection selection;
  std::vector<py::ssize_t> shape;
};

Index resolve_index(py::handle key, const std::vector<std::uint64_t>& dims) {
  const std::size_t rank = dims.size();
  std::vector<py::object> items;
  if (py::isinstance<py::tuple>(key)) {
    for (py::handle k : key.cast<py::tuple>()) items.push_back(py::reinterpret_borrow<py::object>(k));
  } else {
    items.push_back(py::reinterpret_borrow<py::object>(key));
  }
  // Expand the (single) Ellipsis to as many full slices as it stands for.
  std::size_t ellipses = 0, explicit_dims = 0;
  for (const auto& k : items) {
    if (k.is(py::ellipsis())) ++ellipses;
    else ++explicit_dims;
  }
  if (ellipses > 1) throw py::index_error("an index can only have a single ellipsis ('...')");
  if (explicit_dims > rank) {
    throw py::index_error(fmt::format("too many indices for dataset: dataset is {}-dimensional, but {} were indexed",
                                      rank, explicit_dims));
  }
  std::vector<io::NumpyIndex> parts;
  for (const auto& k : items) {
    if (k.is(py::ellipsis())) {
      for (std::size_t i = 0; i < rank - explicit_dims; ++i) parts.push_back(io::NumpyIndex{});
      continue;
    }
    if (py::isinstance<py::slice>(k)) {
      io::NumpyIndex p;
      auto get = [&](const char* name) -> std::optional<std::int64_t> {
        py::object v = k.attr(name);
        if (v.is_none()) return std::nullopt;
        return py::int_(v.attr("__index__")()).cast<std::int64_t>();
      };
      p.start = get("start");
      p.stop = get("stop");
      p.step = get("step");
      if (p.step && *p.step == 0) throw py::value_error("slice step cannot be zero");
      if (p.step && *p.step < 0) throw py::value_error("negative steps are not supported (as in h5py); reverse the result");
      parts.push_back(p);
      continue;
    }
    if (k.is_none()) throw py::index_error("np.newaxis (None) is not supported in dataset indexing");
    if (!py::hasattr(k, "__index__") || py::isinstance<py::bool_>(k)) {
      throw py::index_error(fmt::format("only integers, slices (`:`) and ellipsis (`...`) are valid indices, not {}",
                                        py::str(py::type::of(k).attr("__name__")).cast<std::string>()));
    }
    io::NumpyIndex p;
    p.is_slice = false;
    p.index = py::int_(k.attr("__index__")()).cast<std::int64_t>();
    const std::size_t d = parts.size();
    const auto n = static_cast<std::int64_t>(dims[d]);
    if (p.index < -n || p.index >= n) {
      throw py::index_error(fmt::format("index {} is out of bounds for axis {} with size {}", p.index, d, n));
    }
    parts.push_back(p);
  }
  io::NumpySelection sel;
  try {
    sel = io::numpy_selection(parts, dims);
  } catch (const Error& e) {
    throw py::index_error(e.what());
  }
  Index out;
  out.selection = std::move(sel.selection);
  out.shape.assign(sel.shape.begin(), sel.shape.end());
  return out;
}

// Result arrays from this size up live in an io::OutputMemory rather than in
// numpy's allocation (io::OutputMemory maps from 4 MiB too).
constexpr std::uint64_t kOwnMemoryFrom = std::uint64_t{4} << 20;

// A new C-contiguous array of `dtype` and `shape`, uninitialised. A large one
// lives in an io::OutputMemory, the output `h5dig read` decodes into: its own
// mapping, 2 MiB-aligned, asking for huge pages, so the decoding threads fault
// it in 2 MiB at a time. numpy's own allocation is malloc's mapping, which
// starts a few KiB past a 2 MiB boundary, and numpy asks for huge pages from
// the next 4 KiB page on: up to 2 MiB at each end is faulted in 4 KiB at a time
// (~500 extra faults for 419 MB, ~7 us each on these virtual machines).
// The array's base is a capsule that gives the memory back when the last array
// or view using it goes; small arrays stay numpy's own.
// The bytes of a result of `shape` and `itemsize`, after checking that it can be
// held at all: a damaged dataspace (or a huge sparse dataset read whole) must not
// end in an allocation of terabytes, std::bad_alloc or NumPy's MemoryError, but
// in one h5dig.Error naming the dataset, as the command line's read fails.
std::uint64_t result_bytes(const std::string& where, std::size_t itemsize, const std::vector<py::ssize_t>& shape) {
  const std::uint64_t physical = util::physical_memory();  // 0: unknown, no bound but overflow
  std::uint64_t bytes = itemsize;
  bool overflow = false;
  for (auto n : shape) overflow = overflow || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(n), &bytes);
  if (overflow || (physical && bytes > physical)) {
    std::string dims;
    for (auto n : shape) dims += fmt::format("{}{}", dims.empty() ? "" : " x ", n);
    throw_io(fmt::format("{}: the selection ({} elements of {} bytes) needs {}, more than this machine's memory ({}); "
                         "read it in parts", where, dims.empty() ? "1" : dims, itemsize,
                         overflow ? "more than 16 EiB" : util::format_bytes(static_cast<double>(bytes)),
                         physical ? util::format_bytes(static_cast<double>(physical)) : "unknown"));
  }
  return bytes;
}

py::array new_array(const std::string& where, const py::dtype& dtype, std::vector<py::ssize_t> shape) {
  const std::uint64_t bytes = result_bytes(where, static_cast<std::size_t>(dtype.itemsize()), shape);
  if (bytes < kOwnMemoryFrom) return py::array(dtype, shape);
  py::dtype element = dtype;
  if (const py::object sub = dtype.attr("subdtype"); !sub.is_none()) {
    // An array type: numpy gives its dimensions to the shape (as py::array(dtype, shape) does).
    element = py::reinterpret_borrow<py::dtype>(sub[py::int_(0)]);
    for (py::handle n : sub[py::int_(1)]) shape.push_back(n.cast<py::ssize_t>());
  }
  // A plain element type's array may reuse the mapping of a result dropped a
  // moment ago (io::KeptOutputs: no first touch to pay again) and gives its
  // own back when freed. A compound's stays its own: whatever the readers
  // leave unwritten (padding between fields) must read as zeros, as h5py's.
  const bool reusable = !py::hasattr(element, "fields") || element.attr("fields").is_none();
  std::unique_ptr<io::OutputMemory> memory;
  try {
    memory = std::make_unique<io::OutputMemory>(reusable ? io::KeptOutputs::process().take(bytes)
                                                         : io::OutputMemory(bytes));
  } catch (const std::bad_alloc&) {
    throw_io(fmt::format("{}: cannot allocate {} for the selection", where, util::format_bytes(static_cast<double>(bytes))));
  }
  void* data = memory->data().data();
  void (*free_output)(void*) = [](void* p) { delete static_cast<io::OutputMemory*>(p); };
  if (reusable) {
    free_output = [](void* p) {
      std::unique_ptr<io::OutputMemory> m(static_cast<io::OutputMemory*>(p));
      io::KeptOutputs::process().give_back(std::move(*m));
    };
  }
  py::capsule owner(memory.get(), free_output);
  memory.release();  // the capsule owns it now
  return py::array(element, shape, std::vector<py::ssize_t>{}, data, owner);
}

// Variable-length data inside compounds and arrays (h5py's structured arrays
// with object fields, arrays of objects). HDF5's H5Dread gives it in the native
// memory type: char* for a string, hvl_t {size_t len; void* p} for a sequence,
// fixed-size members converted to native. NumPy reads that buffer through a
// dtype naming the memory layout (pointers as integers), and each part of it is
// moved into h5py's dtype: fixed-size fields by NumPy's assignment (which also
// converts to the stored byte order), strings and sequences as Python objects.
namespace nested {

using K = h5::TypeDesc::Kind;

// NumPy's description of HDF5's native memory layout for `m`.
py::object memory_dtype(const h5::TypeDesc& m) {
  py::object dtype = py::module_::import("numpy").attr("dtype");
  if (m.kind == K::string && m.variable) return dtype("<u8");  // char*
  if (m.kind == K::vlen) {
    py::list fields;  // hvl_t
    fields.append(py::make_tuple("len", "<u8"));
    fields.append(py::make_tuple("p", "<u8"));
    return dtype(fields);
  }
  if (m.kind == K::compound && h5::holds_variable_length(m)) return compound_dtype(m, memory_dtype);
  if (m.kind == K::array && !m.super.empty() && h5::holds_variable_length(m)) {
    return dtype(py::make_tuple(memory_dtype(m.super[0]), py::cast(m.dims)));
  }
  return to_dtype(m, false);
}

static_assert(sizeof(void*) == 8 && sizeof(std::size_t) == 8, "memory_dtype describes pointers as 8 bytes");

void fill(py::object out, py::object mem, const h5::TypeDesc& stored, const h5::TypeDesc& m);

// An object array shaped like `mem` whose elements `make(i, raw)` builds from
// the i-th element's memory bytes; then assigned into `out` (a field view, so
// assigned rather than written through).
template <typename Make>
void fill_objects(py::object out, py::object mem, std::size_t raw_size, Make&& make) {
  py::object np = py::module_::import("numpy");
  py::array contiguous = np.attr("ascontiguousarray")(mem);
  py::array objects = np.attr("empty")(contiguous.attr("shape"), "dtype"_a = "O");
  auto** slots = static_cast<PyObject**>(objects.mutable_data());
  const auto* raw = static_cast<const std::byte*>(contiguous.data());
  for (py::ssize_t i = 0; i < objects.size(); ++i) {
    py::object item = make(raw + static_cast<std::size_t>(i) * raw_size);
    Py_XDECREF(slots[i]);
    slots[i] = item.release().ptr();
  }
  out[py::ellipsis()] = objects;
}

void fill(py::object out, py::object mem, const h5::TypeDesc& stored, const h5::TypeDesc& m) {
  if (stored.kind == K::string && stored.variable) {
    fill_objects(out, mem, 8, [](const std::byte* raw) {
      const char* s = nullptr;
      std::memcpy(&s, raw, sizeof s);
      return py::reinterpret_steal<py::object>(s ? PyBytes_FromString(s) : PyBytes_FromStringAndSize("", 0));
    });
  } else if (stored.kind == K::vlen && stored.super.size() == 1 && m.super.size() == 1) {
    const h5::TypeDesc& sb = stored.super[0];
    const h5::TypeDesc& mb = m.super[0];
    py::object base_memory = memory_dtype(mb);
    // Arrays of the base: a number's in native order (as h5py's), strings and
    // sequences as plain objects (h5py's inner arrays carry no metadata).
    py::object base_out = !h5::holds_variable_length(sb)            ? py::object(to_dtype(mb, false))
                          : sb.kind == K::vlen || sb.kind == K::string ? py::object(py::dtype("O"))
                                                                       : py::object(to_dtype(sb, true));
    const std::optional<py::dtype> repack = h5::holds_variable_length(sb)
                                                ? std::nullopt
                                                : stored_sequence_layout(stored, py::dtype(base_out));
    py::object np = py::module_::import("numpy");
    fill_objects(out, mem, 16, [&](const std::byte* raw) -> py::object {
      std::size_t len = 0;
      const std::byte* p = nullptr;
      std::memcpy(&len, raw, sizeof len);
      std::memcpy(&p, raw + 8, sizeof p);
      const std::size_t bytes = len * mb.size;
      py::object from = np.attr("frombuffer")(
          py::bytes(reinterpret_cast<const char*>(p), p ? static_cast<py::ssize_t>(bytes) : 0),
          "dtype"_a = base_memory);
      if (!h5::holds_variable_length(sb)) {
        py::object a = from.attr("copy")();
        return repack ? a.attr("astype")(*repack) : a;
      }
      py::object a = np.attr("empty")(from.attr("shape"), "dtype"_a = base_out);
      fill(a, from, sb, mb);
      return a;
    });
  } else if (stored.kind == K::compound && h5::holds_variable_length(stored)) {
    for (std::size_t i = 0; i < stored.members.size() && i < m.members.size(); ++i) {
      py::str name(stored.members[i].name);
      fill(out[name], mem[name], stored.members[i].type, m.members[i].type);
    }
  } else if (stored.kind == K::array && h5::holds_variable_length(stored) && !stored.super.empty() &&
             !m.super.empty()) {
    fill(out, mem, stored.super[0], m.super[0]);  // NumPy expands both subarrays into the same dims
  } else {
    out[py::ellipsis()] = mem;  // fixed size: NumPy converts native to the stored byte order
  }
}

}  // namespace nested

// Readers open and close HDF5 objects: they are deleted behind HDF5's door.
struct CloseUnderDoor {
  void operator()(io::ParallelReader* reader) const {
    auto door = h5::lock_hdf5();
    delete reader;
  }
};
using Reader = std::unique_ptr<io::ParallelReader, CloseUnderDoor>;

class Dataset {
 public:
  Dataset(py::handle file, const Name& path) : file_(open_file_of(file)), path_(absolute_object_path(path.bytes)) {
    meta_ = with_hdf5([&] {
      DatasetMeta m;
      auto ds = file_->get().root().open_dataset(path_);
      h5::DatasetDesc d = h5::describe_dataset(ds.id());
      m.scalar = d.space.kind != h5::SpaceDesc::Kind::simple;
      m.null = d.space.kind == h5::SpaceDesc::Kind::null;
      m.shape = d.space.dims;
      m.maxshape = d.space.maxdims;
      m.layout = d.layout;
      m.chunks = d.chunk;
      m.type = d.type;
      m.filters = h5::read_filter_specs(ds.create_plist());
      m.variable_length = h5::holds_variable_length(m.type);
      if (!m.variable_length && !h5::contains_kind(m.type, h5::TypeDesc::Kind::reference)) {
        m.fill = h5::fill_value_bytes(ds, ds.type());
        h5::apply_value_fixes(h5::value_fixes(m.type), m.type.size, m.fill);
      }
      return m;
    });
    dtype_ = to_dtype(meta_.type);
  }

  ~Dataset() {
    py::gil_scoped_release nogil;  // readers close under HDF5's door
    idle_.clear();
  }

  Name name() const { return {path_}; }
  std::string file_path() const { return file_->path; }
  py::object shape() const { return meta_.null ? py::object(py::none()) : py::object(to_tuple(meta_.shape)); }
  py::object maxshape() const {
    if (meta_.null) return py::none();
    if (meta_.scalar) return py::tuple();
    py::tuple t(meta_.maxshape.size());
    for (std::size_t i = 0; i < meta_.maxshape.size(); ++i) {
      t[i] = meta_.maxshape[i] == UINT64_MAX ? py::object(py::none()) : py::object(py::int_(meta_.maxshape[i]));
    }
    return t;
  }
  py::dtype dtype() const { return dtype_; }
  // h5py's ds.fillvalue: what unwritten elements read as (None for variable-length
  // data and references, which h5dig reads no fill value for).
  py::object fillvalue() const {
    if (meta_.fill.empty() || meta_.fill.size() != static_cast<std::size_t>(dtype_.itemsize())) return py::none();
    py::array a(dtype_, std::vector<py::ssize_t>{});
    std::memcpy(a.mutable_data(), meta_.fill.data(), meta_.fill.size());
    return a[py::tuple()];
  }
  py::object chunks() const {
    if (meta_.layout != h5::Layout::chunked) return py::none();
    return to_tuple(meta_.chunks);
  }
  std::string layout() const {
    switch (meta_.layout) {
      case h5::Layout::chunked: return "chunked";
      case h5::Layout::contiguous: return "contiguous";
      case h5::Layout::compact: return "compact";
      case h5::Layout::virtual_: return "virtual";
      default: return "other";
    }
  }
  py::list filters() const { return filters_to_python(meta_.filters); }

  // One line: layout, filters, and who decodes (h5dig or H5Dread).
  std::string describe() {
    if (meta_.variable_length) {
      return fmt::format("{}, {}, read as values by H5Dread in batches", vlen_summary(), layout());
    }
    py::gil_scoped_release nogil;
    Reader reader = acquire();
    std::string s = reader->describe();
    release(std::move(reader));
    return s;
  }

  // h5py's value of a null dataspace, whatever the selection: Empty(dtype).
  py::object empty() const { return py::module_::import("h5dig._types").attr("Empty")(dtype_); }

  py::object getitem(py::handle key) {
    if (meta_.null) return empty();
    if (meta_.scalar) {
      // h5py: d[()] is the value, d[...] a 0-d array.
      if (!(py::isinstance<py::tuple>(key) && key.cast<py::tuple>().size() == 0) && !key.is(py::ellipsis())) {
        throw py::index_error("a scalar dataset takes () or ... as its index");
      }
      py::array out = meta_.variable_length ? read_values(io::Selection{}, {}, nullptr)
                                            : py::array(dtype_, std::vector<py::ssize_t>{});
      if (!meta_.variable_length) read_into(io::Selection{}, out, 0);
      if (key.is(py::ellipsis())) return out;
      return out[py::tuple()];
    }
    Index index = resolve_index(key, meta_.shape);
    if (meta_.variable_length) {
      py::array out = read_values(index.selection, index.shape, nullptr);
      if (index.shape.empty()) return out[py::tuple()];
      return out;
    }
    py::array out = new_array(file_->path + path_, dtype_, index.shape);
    read_into(index.selection, out, 0);
    if (index.shape.empty()) return out[py::tuple()];  // numpy scalar, as h5py and numpy give
    return out;
  }

  // ds.read(selection=None, out=None, threads=0)
  py::object read(py::object selection, py::object out, std::size_t threads) {
    if (meta_.null) {
      if (!out.is_none()) throw py::value_error("a null dataspace has no elements to read into out");
      return empty();
    }
    io::Selection sel;
    std::vector<py::ssize_t> shape;
    if (meta_.scalar) {
      if (!selection.is_none()) throw py::index_error("a scalar dataset is read whole (selection=None)");
    } else if (selection.is_none()) {
      sel = io::whole(meta_.shape);
      shape.assign(meta_.shape.begin(), meta_.shape.end());
    } else {
      Index index = resolve_index(selection, meta_.shape);
      sel = std::move(index.selection);
      shape = std::move(index.shape);
    }
    if (meta_.variable_length) {
      py::array values = read_values(sel, shape, nullptr);
      if (out.is_none()) return values;
      if (!py::isinstance<py::array>(out)) throw py::type_error("out must be a numpy array");
      py::array target = out.cast<py::array>();
      if (!target.dtype().equal(values.dtype()) && !(target.dtype().kind() == 'O' && values.dtype().kind() == 'O')) {
        throw py::type_error(fmt::format("out has dtype {}; this variable-length data is read into {}",
                                         py::str(target.dtype()).cast<std::string>(),
                                         py::str(values.dtype()).cast<std::string>()));
      }
      if (!target.attr("shape").equal(values.attr("shape"))) {
        throw py::value_error(fmt::format("out has shape {}, the selection {}", py::str(target.attr("shape")).cast<std::string>(),
                                          py::str(values.attr("shape")).cast<std::string>()));
      }
      target[py::ellipsis()] = values;
      return target;
    }
    py::array target;
    if (out.is_none()) {
      target = new_array(file_->path + path_, dtype_, shape);
    } else {
      if (!py::isinstance<py::array>(out)) throw py::type_error("out must be a numpy array");
      target = out.cast<py::array>();
      if (!(target.flags() & py::array::c_style)) throw py::value_error("out must be C-contiguous");
      if (!target.writeable()) throw py::value_error("out is read-only");
      // An array-typed dataset's elements arrive as its base type (numpy moves the subarray into the shape).
      const py::object sub = dtype_.attr("subdtype");
      const bool same = target.dtype().equal(dtype_) || (!sub.is_none() && target.dtype().equal(sub[py::int_(0)]));
      if (!same) {
        throw py::type_error(fmt::format("out has dtype {}, the dataset {} (no conversion is done)",
                                         py::str(target.dtype()).cast<std::string>(),
                                         py::str(dtype_).cast<std::string>()));
      }
    }
    read_into(sel, target, threads);
    return target;
  }

  // ds.asstr()[key]: variable-length strings decoded to str (h5py's asstr()).
  py::object getitem_str(py::handle key, const std::string& encoding, const std::string& errors) {
    if (!is_vlen_string()) throw py::type_error("asstr() reads variable-length string datasets here");
    const StrDecode decode{encoding, errors};
    if (meta_.scalar) {
      if (!(py::isinstance<py::tuple>(key) && key.cast<py::tuple>().size() == 0) && !key.is(py::ellipsis())) {
        throw py::index_error("a scalar dataset takes () or ... as its index");
      }
      py::array out = read_values(io::Selection{}, {}, &decode);
      if (key.is(py::ellipsis())) return out;
      return out[py::tuple()];
    }
    Index index = resolve_index(key, meta_.shape);
    py::array out = read_values(index.selection, index.shape, &decode);
    if (index.shape.empty()) return out[py::tuple()];
    return out;
  }

  bool is_vlen_string() const { return meta_.type.kind == h5::TypeDesc::Kind::string && meta_.type.variable; }

  py::array chunk_table() {
    struct Table {
      std::size_t rank = 0;
      std::vector<std::uint64_t> offsets;
      std::vector<format::ChunkRecord> records;
    };
    if (meta_.layout != h5::Layout::chunked) {
      throw Error(ErrorKind::usage, fmt::format("{}{}: not chunked ({} layout)", file_->path, path_, layout()));
    }
    Table t = with_hdf5([&] {
      auto ds = file_->get().root().open_dataset(path_);
      chunk::ChunkMap map;
      try {
        map = chunk::map_chunks(ds);
      } catch (const Error& e) {
        std::string msg = e.what();
        const std::string prefix = file_->path + ": ";
        if (msg.starts_with(prefix)) msg.erase(0, prefix.size());
        throw Error(e.kind(), fmt::format("{}{}: {}", file_->path, path_, msg));
      }
      map.sort();
      Table out;
      out.rank = map.rank();
      out.records.reserve(map.size());
      out.offsets.reserve(map.size() * map.rank());
      for (std::size_t i = 0; i < map.size(); ++i) {
        auto off = map.offset(i);
        out.offsets.insert(out.offsets.end(), off.begin(), off.end());
        out.records.push_back(map.record(i));
      }
      return out;
    });
    py::dtype row = chunk_row_dtype(t.rank);
    py::array a(row, std::vector<py::ssize_t>{static_cast<py::ssize_t>(t.records.size())});
    auto* base = static_cast<std::byte*>(a.mutable_data());
    const std::size_t item = static_cast<std::size_t>(row.itemsize());
    const std::size_t r = t.rank;
    for (std::size_t i = 0; i < t.records.size(); ++i) {
      std::byte* p = base + i * item;
      std::memcpy(p, t.offsets.data() + i * r, 8 * r);
      std::memcpy(p + 8 * r, &t.records[i].filter_mask, 4);
      std::memset(p + 8 * r + 4, 0, 4);
      std::memcpy(p + 8 * r + 8, &t.records[i].byte_offset, 8);
      std::memcpy(p + 8 * r + 16, &t.records[i].size, 8);
    }
    return a;
  }

 private:
  static py::tuple to_tuple(const std::vector<std::uint64_t>& v) {
    py::tuple t(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) t[i] = v[i];
    return t;
  }

  static py::dtype chunk_row_dtype(std::size_t rank) {
    py::dict d;
    d["names"] = py::make_tuple("offset", "filter_mask", "byte_offset", "size");
    d["formats"] = py::make_tuple(py::make_tuple("<u8", py::make_tuple(rank)), "<u4", "<u8", "<u8");
    d["offsets"] = py::make_tuple(0, 8 * rank, 8 * rank + 8, 8 * rank + 16);
    d["itemsize"] = 8 * rank + 24;
    return py::dtype::from_args(d);
  }

  // A reader for this thread's read: an idle one, or a new one. Readers are
  // not shared by concurrent reads (ParallelReader reads one at a time), so
  // Python threads reading one dataset each get their own. Call without the GIL.
  Reader acquire() {
    if (file_->closed) throw_io(fmt::format("{}: file is closed", file_->path));
    {
      std::lock_guard lock(pool_mutex_);
      if (!idle_.empty()) {
        Reader r = std::move(idle_.back());
        idle_.pop_back();
        return r;
      }
    }
    auto door = h5::lock_hdf5();
    if (!file_->file) throw_io(fmt::format("{}: file is closed", file_->path));
    // Relative to the root, as the command line names it ("FILE/a/b" in messages).
    Reader reader(new io::ParallelReader(file_->path, path_.substr(1)));
    reader->allocated_chunks();  // maps the chunks now, so that reads need no HDF5
    return reader;
  }

  void release(Reader reader) {
    std::lock_guard lock(pool_mutex_);
    if (idle_.size() < kMaxIdleReaders) idle_.push_back(std::move(reader));
    // else: closed here, behind the door
  }

  // "variable-length string (UTF-8)" / "variable-length sequence of int32".
  std::string vlen_summary() const {
    using K = h5::TypeDesc::Kind;
    if (is_vlen_string()) return fmt::format("variable-length string ({})", meta_.type.cset == 1 ? "UTF-8" : "ASCII");
    if (meta_.type.kind == K::vlen && meta_.type.super.size() == 1) {
      py::object base = dtype_.attr("metadata")["vlen"];
      return "variable-length sequence of " + py::str(base).cast<std::string>();
    }
    return "variable-length data inside " + py::str(py::handle(dtype_)).cast<std::string>();
  }

  // Variable-length data inside compounds and arrays (nested:: above), batch by
  // batch like read_values: each batch's H5Dread behind the door; its Python
  // objects with the GIL, while HDF5's memory for it is still held; that memory
  // reclaimed behind the door again.
  py::array read_nested_values(const io::Selection& sel, const std::vector<py::ssize_t>& shape,
                               const std::string& where) {
    py::object np = py::module_::import("numpy");
    (void)result_bytes(where, static_cast<std::size_t>(dtype_.itemsize()), shape);
    py::array out(dtype_, shape);  // an array type's dims join the shape, as in h5py
    std::vector<py::ssize_t> rows_shape{-1};  // one row per element of the selection
    rows_shape.insert(rows_shape.end(), out.shape() + shape.size(), out.shape() + out.ndim());
    py::object rows = out.attr("reshape")(py::tuple(py::cast(rows_shape)));
    std::uint64_t at = 0;
    for (const io::Selection& batch : io::value_batches(sel, meta_.type.size)) {
      std::optional<h5::ValueBuffer> vb;
      // HDF5's memory for the batch goes back behind the door, also on an error.
      struct Reclaim {
        std::optional<h5::ValueBuffer>& vb;
        ~Reclaim() {
          if (vb) with_hdf5([&] { vb.reset(); return 0; });
        }
      } reclaim{vb};
      with_hdf5([&] {
        auto ds = file_->get().root().open_dataset(path_);
        vb.emplace(io::read_value_batch(ds, batch, where));
        return 0;
      });
      const auto count = static_cast<py::ssize_t>(vb->count);
      if (at + vb->count > static_cast<std::uint64_t>(py::len(rows))) {
        throw_corrupt(fmt::format("{}: H5Dread gave more elements than the selection holds", where));
      }
      py::object mem_dtype = nested::memory_dtype(vb->mem_type);
      py::object mem = np.attr("frombuffer")(
          py::memoryview::from_memory(vb->bytes.data(), static_cast<py::ssize_t>(vb->bytes.size()), true),
          "dtype"_a = mem_dtype, "count"_a = count);
      py::slice part(static_cast<py::ssize_t>(at), static_cast<py::ssize_t>(at) + count, 1);
      py::object target = rows[part];
      nested::fill(target, mem, meta_.type, vb->mem_type);
      at += vb->count;
    }
    if (at != static_cast<std::uint64_t>(py::len(rows))) {
      throw_corrupt(fmt::format("{}: H5Dread gave {} elements for a selection of {}", where, at, py::len(rows)));
    }
    return out;
  }

  // Variable-length data as numpy's object array of `shape`: bytes for strings
  // (str with `decode`), 1-D arrays of the base type for sequences, as h5py
  // gives them. Read batch by batch (io::value_batches): each batch's H5Dread
  // and copy out of HDF5's memory under the door without the GIL, then its
  // Python objects with the GIL and without the door.
  py::array read_values(const io::Selection& sel, const std::vector<py::ssize_t>& shape, const StrDecode* decode) {
    const std::string where = file_->path + path_;
    if (file_->closed) throw_io(fmt::format("{}: file is closed", file_->path));
    if (!io::flattens_to_values(meta_.type)) {
      if (h5::contains_kind(meta_.type, h5::TypeDesc::Kind::reference)) {
        throw_unsupported(fmt::format("{}: {} holds references; h5dig reads no references (read this one with h5py)",
                                      where, py::str(dtype_).cast<std::string>()));
      }
      if (decode) throw py::type_error("asstr() reads variable-length string datasets here");
      return read_nested_values(sel, shape, where);
    }
    // The result keeps h5py's dtype metadata ({'vlen': ...}), as h5py's does; asstr()'s has none.
    (void)result_bytes(where, sizeof(PyObject*), shape);
    py::array out(decode ? py::dtype("O") : dtype_, shape);
    auto** slots = static_cast<PyObject**>(out.mutable_data());
    const std::vector<io::Selection> batches = io::value_batches(sel, meta_.type.size);
    std::optional<py::dtype> base, stored_base;
    std::size_t base_size = 1;
    std::uint64_t at = 0;
    for (const io::Selection& batch : batches) {
      io::FlatValues flat = with_hdf5([&] {
        auto ds = file_->get().root().open_dataset(path_);
        io::FlatValues f;
        h5::ValueBuffer vb = io::read_value_batch(ds, batch, where);
        io::append_flat_values(f, vb, where);
        return f;  // vb's variable-length memory is reclaimed here, behind the door
      });
      if (!flat.strings && !base) {
        base = to_dtype(flat.base, false);
        base_size = std::max<std::size_t>(1, static_cast<std::size_t>(base->itemsize()));
        stored_base = stored_sequence_layout(meta_.type, *base);
      }
      const auto* data = reinterpret_cast<const char*>(flat.data.data());
      std::uint64_t begin = 0;
      for (std::uint64_t end : flat.ends) {
        const auto n = static_cast<py::ssize_t>(end - begin);
        PyObject* item;
        if (flat.strings) {
          item = decode ? PyUnicode_Decode(data + begin, n, decode->encoding.c_str(), decode->errors.c_str())
                        : PyBytes_FromStringAndSize(data + begin, n);
          if (!item) throw py::error_already_set();
        } else {
          py::array a(*base, std::vector<py::ssize_t>{n / static_cast<py::ssize_t>(base_size)});
          if (n) std::memcpy(a.mutable_data(), data + begin, static_cast<std::size_t>(n));
          if (stored_base) a = a.attr("astype")(*stored_base);
          item = a.release().ptr();
        }
        if (at >= static_cast<std::uint64_t>(out.size())) {
          Py_DECREF(item);
          throw_corrupt(fmt::format("{}: H5Dread gave more elements than the selection holds", where));
        }
        PyObject* old = slots[at];
        slots[at++] = item;
        Py_XDECREF(old);
        begin = end;
      }
    }
    if (at != static_cast<std::uint64_t>(out.size())) {
      throw_corrupt(fmt::format("{}: H5Dread gave {} elements for a selection of {}", where, at, out.size()));
    }
    return out;
  }

  void read_into(const io::Selection& sel, py::array& out, std::size_t threads) {
    const std::uint64_t elements = meta_.scalar ? 1 : sel.element_count();
    const std::uint64_t want = elements * meta_.type.size;
    const auto have = static_cast<std::uint64_t>(out.nbytes());
    auto* data = static_cast<std::byte*>(out.mutable_data());
    py::gil_scoped_release nogil;
    // The reader first: what it cannot read at all (references) is said as such,
    // not as a size mismatch of the object array standing in for it.
    Reader reader = acquire();
    if (have != want) {
      release(std::move(reader));
      throw py::value_error(fmt::format("out holds {} bytes, the selection needs {}", have, want));
    }
    if (want == 0) {
      release(std::move(reader));
      return;
    }
    std::span<std::byte> bytes(data, want);
    std::ostringstream notes;  // fallback notes stay out of the caller's stderr; describe() says it
    io::ReadOptions options;
    options.threads = threads;
    options.notes = &notes;
    {
      // Reads that only pread and decode run without the door, side by side;
      // those that call HDF5 (compact, virtual, filters HDF5 decodes) hold it.
      std::unique_lock<std::recursive_mutex> door;
      if (reader->read_enters_hdf5(options)) door = h5::lock_hdf5();
      reader->read(sel, bytes, options);  // on error the reader is closed, behind the door
    }
    reader->element_type().as_h5py(bytes);  // fixed strings as h5py shows them
    release(std::move(reader));
  }

  static constexpr std::size_t kMaxIdleReaders = 8;
  std::shared_ptr<OpenFile> file_;
  std::string path_;
  DatasetMeta meta_;
  py::dtype dtype_;
  std::mutex pool_mutex_;
  std::vector<Reader> idle_;
};

// kerchunk references of one dataset, as JSON text (chunk::write_chunks_kerchunk).
std::string kerchunk_json(const h5::File& file, const std::string& path, const std::string& dataset) {
  auto ds = file.root().open_dataset(dataset);
  if (ds.layout() != h5::Layout::chunked) {
    throw_unsupported(fmt::format("{}{}: kerchunk: not chunked", path, dataset));
  }
  chunk::ChunkMap map = chunk::map_chunks(ds);
  std::ostringstream out;
  chunk::write_chunks_kerchunk(out, map, ds, path, dataset.substr(1));
  return out.str();
}

// kerchunk(path, dataset=None): [(dataset, json text or None, error or None)].
py::list kerchunk(const std::string& path, py::object dataset) {
  struct Entry {
    std::string name, json, error;
  };
  std::optional<std::string> only;
  if (!dataset.is_none()) only = absolute_object_path(dataset.cast<std::string>());
  auto entries = with_hdf5([&] {
    h5::init();
    auto file = h5::File::open(path);
    std::vector<Entry> out;
    if (only) {
      out.push_back({*only, kerchunk_json(file, path, *only), ""});
      return out;
    }
    std::vector<std::string> datasets;
    h5::visit_links(file.id(), "/", true, [&](const h5::LinkEntry& e) {
      if (e.link_type == h5::LinkType::hard && !e.first_seen && e.info.type == h5::ObjectType::dataset) {
        std::string p = e.path;
        if (p.rfind("//", 0) == 0) p.erase(0, 1);
        datasets.push_back(p);
      }
    });
    for (const auto& d : datasets) {
      try {
        out.push_back({d, kerchunk_json(file, path, d), ""});
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::unsupported) throw;
        out.push_back({d, "", e.what()});
      }
    }
    return out;
  });
  py::list l;
  for (const auto& e : entries) {
    l.append(py::make_tuple(e.name, e.json.empty() ? py::object(py::none()) : py::object(py::str(e.json)),
                            e.error.empty() ? py::object(py::none()) : py::object(py::str(e.error))));
  }
  return l;
}

// decode(raw, filters, chunk_shape, dtype, filter_mask=0): one stored chunk's
// bytes through codec::Pipeline, for callers who fetch the bytes themselves.
py::array decode(py::buffer raw, py::object filters, std::vector<py::ssize_t> chunk_shape, py::object dtype,
                 std::uint32_t filter_mask) {
  py::dtype dt = py::dtype::from_args(dtype);
  auto specs = filters_from_python(filters);
  py::buffer_info in = raw.request();
  py::array out(dt, chunk_shape);
  const auto* src = static_cast<const std::byte*>(in.ptr);
  const std::size_t src_len = static_cast<std::size_t>(in.size * in.itemsize);
  std::span<std::byte> dst(static_cast<std::byte*>(out.mutable_data()), static_cast<std::size_t>(out.nbytes()));
  {
    py::gil_scoped_release nogil;
    codec::Pipeline pipeline(specs, static_cast<std::size_t>(dt.itemsize()));
    if (pipeline.empty()) {
      if (src_len != dst.size()) {
        throw_corrupt(fmt::format("decode: {} bytes for a {}-byte chunk and no filters", src_len, dst.size()));
      }
      std::memcpy(dst.data(), src, src_len);
    } else {
      thread_local codec::Workspace workspace;
      pipeline.decode({src, src_len}, dst, filter_mask, workspace);
    }
  }
  return out;
}

}  // namespace

void bind_dataset(py::module_& m) {
  py::class_<Dataset>(m, "Dataset")
      .def(py::init<py::handle, const Name&>(), py::arg("file"), py::arg("path"))
      .def_property_readonly("name", &Dataset::name)
      .def_property_readonly("file_path", &Dataset::file_path)
      .def_property_readonly("shape", &Dataset::shape)
      .def_property_readonly("maxshape", &Dataset::maxshape)
      .def_property_readonly("dtype", &Dataset::dtype)
      .def_property_readonly("fillvalue", &Dataset::fillvalue)
      .def_property_readonly("chunks", &Dataset::chunks)
      .def_property_readonly("layout", &Dataset::layout)
      .def_property_readonly("filters", &Dataset::filters)
      .def("describe", &Dataset::describe)
      .def("__getitem__", &Dataset::getitem)
      .def("getitem_str", &Dataset::getitem_str, py::arg("key"), py::arg("encoding"), py::arg("errors"))
      .def_property_readonly("is_vlen_string", &Dataset::is_vlen_string)
      .def("read", &Dataset::read, py::arg("selection") = py::none(), py::arg("out") = py::none(),
           py::arg("threads") = 0)
      .def("chunk_table", &Dataset::chunk_table);
  m.def("_kerchunk", &kerchunk, py::arg("path"), py::arg("dataset") = py::none());
  m.def("decode", &decode, py::arg("raw"), py::arg("filters"), py::arg("chunk_shape"), py::arg("dtype"),
        py::arg("filter_mask") = 0,
        "Decodes one stored chunk (bytes as HDF5 stores them) into a new array of chunk_shape and dtype.\n"
        "filters: h5dig.Filter tuples (Dataset.filters) or (id, cd_values) pairs, in pipeline order.");
}

}  // namespace h5dig::python

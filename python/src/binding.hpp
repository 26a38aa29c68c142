// The `_h5dig` extension: shared pieces of the binding (python/src/).
//
// The binding is thin: every read goes through io::ParallelReader, chunk tables
// through chunk::map_chunks, kerchunk through chunk::write_chunks_kerchunk,
// decode() through codec::Pipeline, metadata through h5/describe.hpp.
//
// Two locks meet here, and one rule keeps them from deadlocking: code that holds
// HDF5's door (h5::lock_hdf5) never touches Python. So HDF5 work runs inside
// `with_hdf5`, which releases the GIL first, gathers plain C++ data, and returns
// it; Python objects are built from that data after the door is closed. Reads
// release the GIL for the whole read; ParallelReader takes the door itself
// around each of its HDF5 entries, so reads from many Python threads decode at
// the same time.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/h5/describe.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/h5/serial.hpp"
#include "h5dig/io/parallel_reader.hpp"

namespace h5dig::python {

namespace py = pybind11;

// An HDF5 object or attribute name as Python sees it. HDF5 names are bytes,
// usually UTF-8: a name that is UTF-8 is a str, one that is not is bytes, as h5py
// gives them, so every name a file holds can be listed and opened. Taken as str
// (lone surrogates from surrogateescape go back to their bytes) or bytes.
struct Name {
  std::string bytes;
};

// Runs `fn` with the GIL released and HDF5's door held; `fn` must not touch
// Python objects. Returns what `fn` returns (plain C++ data, no HDF5 handles).
template <typename Fn>
auto with_hdf5(Fn&& fn) {
  py::gil_scoped_release nogil;
  auto door = h5::lock_hdf5();  // released before the GIL is taken back
  return fn();
}

// One open HDF5 file, shared by the File object and everything opened from it.
// Closed under HDF5's door when the last owner goes.
struct OpenFile {
  std::string path;
  std::optional<h5::File> file;
  // Set by close(): datasets opened from the file stop reading too, as h5py's do.
  std::atomic<bool> closed{false};
  // Object-header address -> a path to it (for dimension scales); built on first use.
  std::optional<std::vector<std::pair<std::uint64_t, std::string>>> paths_by_address;

  explicit OpenFile(std::string p);
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  // The file, or Error(io) "PATH: file is closed". Call with the door held.
  const h5::File& get() const;
  void close();  // takes the door itself
};

// A numpy dtype describing `type`'s bytes as stored (structured for compounds,
// subarray for arrays, the base integer for enums). Needs the GIL.
// `top` false: variable-length parts and references as opaque bytes (inside containers).
py::dtype to_dtype(const h5::TypeDesc& type, bool top = true);
// A structured dtype of compound `t`'s members in HDF5's order, at their
// offsets, in `t`'s size, each member's dtype from `field_dtype`.
py::object compound_dtype(const h5::TypeDesc& t, const std::function<py::object(const h5::TypeDesc&)>& field_dtype);
// HDF5 hands a variable-length sequence's elements over in the native memory
// layout (a compound's members aligned); h5py's arrays have the stored base
// type's (the 'vlen' metadata of the dtype). The dtype to repack a compound base
// to (astype), or nullopt when `memory_base` already is it (numbers: native order,
// as h5py gives them).
std::optional<py::dtype> stored_sequence_layout(const h5::TypeDesc& stored, const py::dtype& memory_base);

// An attribute's value gathered under the door, converted with the GIL.
struct AttrValue {
  std::string name;
  h5::SpaceDesc space;
  h5::TypeDesc type;                             // of the memory buffer
  h5::TypeDesc stored_type;                      // in the file: h5py's dtype is made from it
  std::vector<std::byte> bytes;                  // fixed-size values
  std::vector<std::optional<std::string>> strings;  // variable-length strings
  std::vector<std::vector<std::byte>> sequences;    // variable-length sequences
  // Set when this one attribute could not be read (a type HDF5 has no memory
  // type for, such as its time class): the others still are, and asking for
  // this one raises h5dig.Error (as h5py raises for it alone).
  std::optional<Error> error;
};
// An h5dig.Error instance (an OSError with `kind`) carrying `e`'s message.
py::object error_object(const Error& e);

// Reads every attribute of `object_path` (name order). Call with the door held.
std::vector<AttrValue> read_attributes(const h5::File& file, const std::string& object_path);
py::object to_python(const AttrValue& value);

// Filters of a dataset as the Python `h5dig.Filter` tuples; and back.
py::list filters_to_python(const std::vector<codec::FilterSpec>& filters);
std::vector<codec::FilterSpec> filters_from_python(py::handle filters);

// The OpenFile behind a Python `_h5dig.File`.
std::shared_ptr<OpenFile> open_file_of(py::handle file);

void bind_file(py::module_& m);
void bind_dataset(py::module_& m);

}  // namespace h5dig::python

namespace pybind11::detail {
template <>
struct type_caster<h5dig::python::Name> {
  PYBIND11_TYPE_CASTER(h5dig::python::Name, const_name("str"));
  bool load(handle src, bool) {
    if (PyBytes_Check(src.ptr())) {
      value.bytes.assign(PyBytes_AS_STRING(src.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(src.ptr())));
      return true;
    }
    if (!PyUnicode_Check(src.ptr())) return false;
    object encoded = reinterpret_steal<object>(PyUnicode_AsEncodedString(src.ptr(), "utf-8", "surrogateescape"));
    if (!encoded) {
      PyErr_Clear();
      return false;
    }
    value.bytes.assign(PyBytes_AS_STRING(encoded.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(encoded.ptr())));
    return true;
  }
  static handle cast(const h5dig::python::Name& name, return_value_policy, handle) {
    const auto n = static_cast<Py_ssize_t>(name.bytes.size());
    if (PyObject* text = PyUnicode_DecodeUTF8(name.bytes.data(), n, nullptr)) return text;
    PyErr_Clear();
    return PyBytes_FromStringAndSize(name.bytes.data(), n);  // not UTF-8: bytes, as h5py gives it
  }
};
}  // namespace pybind11::detail

// PYBIND11_MODULE(_h5dig): the classes, and h5dig::Error -> h5dig.Error.
#include "binding.hpp"
#include "h5dig/error.hpp"
#include "h5dig/io/output_memory.hpp"
#include "h5dig/version.hpp"

namespace h5dig::python {
namespace {

const char* kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::io: return "io";
    case ErrorKind::corrupt: return "corrupt";
    case ErrorKind::unsupported: return "unsupported";
    case ErrorKind::verify: return "verify";
  }
  return "io";
}

// h5dig.Error, once the module made it.
PyObject* error_type = nullptr;

// A message as str: names in it may hold bytes that are not UTF-8 (shown escaped).
py::object message_of(const Error& e) {
  const std::string_view m = e.what();
  return py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(m.data(), static_cast<Py_ssize_t>(m.size()), "backslashreplace"));
}

}  // namespace

py::object error_object(const Error& e) {
  py::object instance = py::reinterpret_borrow<py::object>(error_type)(message_of(e));
  instance.attr("kind") = kind_name(e.kind());
  return instance;
}

}  // namespace h5dig::python

PYBIND11_MODULE(_h5dig, m) {
  namespace py = pybind11;
  using namespace h5dig::python;
  m.doc() = "h5dig's C++ core; use the `h5dig` package, not this module.";
  // h5dig.Error: an OSError carrying the one-line message the CLI prints, and
  // `kind` (io, corrupt, unsupported). Usage errors become ValueError, as numpy's.
  static py::exception<h5dig::Error> error(m, "Error", PyExc_OSError);
  error_type = error.ptr();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const h5dig::Error& e) {
      if (e.kind() == h5dig::ErrorKind::usage) {
        PyErr_SetObject(PyExc_ValueError, message_of(e).ptr());
        return;
      }
      PyErr_SetObject(error_type, error_object(e).ptr());
    }
  });
  m.attr("__version__") = std::string(h5dig::kVersion);
  bind_file(m);
  bind_dataset(m);
  m.def(
      "release_memory", [] { return h5dig::io::KeptOutputs::process().release_all(); },
      "Unmap the large results h5dig keeps for reuse after their arrays were freed (at most\n"
      "H5DIG_KEEP_OUTPUTS bytes, by default 1/8 of RAM up to 2 GiB, for at most 10 s);\n"
      "returns the bytes released.");
}

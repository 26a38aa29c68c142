#include "h5dig/h5/read_support.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include "h5dig/h5/describe.hpp"
#include "h5dig/h5/numpy_dtype.hpp"

namespace h5dig::h5 {

std::vector<std::byte> fill_value_bytes(const Dataset& dataset, const Datatype& stored) {
  std::vector<std::byte> value(stored.size(), std::byte{0});
  PropList dcpl = dataset.create_plist();
  H5D_fill_value_t status = H5D_FILL_VALUE_UNDEFINED;
  check(H5Pfill_value_defined(dcpl.id(), &status), "H5Pfill_value_defined");
  // H5D_FILL_VALUE_DEFAULT is zeros; UNDEFINED leaves H5Dread's buffer as it
  // was, for which zeros are as good an answer as any.
  if (status == H5D_FILL_VALUE_USER_DEFINED) {
    check(H5Pget_fill_value(dcpl.id(), stored.id(), value.data()), "H5Pget_fill_value");
  }
  return value;
}

bool has_external_storage(const Dataset& dataset) {
  PropList dcpl = dataset.create_plist();
  int n = H5Pget_external_count(dcpl.id());
  if (n < 0) check(n, "H5Pget_external_count");
  return n > 0;
}

StoredTypeInfo describe_stored_type(const Datatype& stored) {
  StoredTypeInfo info;
  info.size = stored.size();
  const TypeDesc type = describe_type(stored.id());
  const NumpyDtype numpy = numpy_dtype(type);
  info.npy_descr = numpy.descr;
  info.npy_subshape = numpy.subshape;
  info.npy_exact = numpy.exact;
  // The whole type tree: a variable-length string inside an array or a
  // compound member is as variable as one on its own.
  info.fixed_size = !holds_variable_length(type) && !contains_kind(type, TypeDesc::Kind::reference);
  info.variable_length = holds_variable_length(type);
  const char* order = stored.order() == H5T_ORDER_BE ? "BE" : "LE";
  switch (type.kind) {
    case TypeDesc::Kind::integer:
      info.summary = fmt::format("{}int{} {}", type.sign == H5T_SGN_NONE ? "u" : "", info.size * 8, order);
      break;
    case TypeDesc::Kind::floating: info.summary = fmt::format("float{} {}", info.size * 8, order); break;
    case TypeDesc::Kind::string:
      info.summary = type.variable ? "variable-length string" : fmt::format("string ({} bytes)", info.size);
      break;
    case TypeDesc::Kind::vlen: info.summary = "variable-length sequence"; break;
    case TypeDesc::Kind::reference: info.summary = "reference"; break;
    case TypeDesc::Kind::enumeration: info.summary = fmt::format("enum ({} bytes)", info.size); break;
    default: {
      static const char* names[] = {"integer", "float", "time", "string", "bitfield", "opaque",
                                    "compound", "reference", "enum", "vlen", "array", "unknown"};
      info.summary = fmt::format("{} ({} bytes)", names[static_cast<int>(type.kind)], info.size);
    }
  }
  info.value_fixes = value_fixes(type);
  return info;
}

void read_stored(const Dataset& dataset, std::span<const std::uint64_t> start, std::span<const std::uint64_t> count,
                 void* out, std::span<const std::uint64_t> step) {
  Datatype type = dataset.type();
  Dataspace file_space = dataset.space();
  if (file_space.kind() != H5S_SIMPLE || start.empty()) {
    dataset.read(type.id(), H5S_ALL, H5S_ALL, out);
    return;
  }
  std::vector<hsize_t> s(start.begin(), start.end()), c(count.begin(), count.end());
  std::vector<hsize_t> stride(step.begin(), step.end());
  file_space.select_hyperslab(s, c, stride);
  Dataspace mem_space = Dataspace::simple(c);
  dataset.read(type.id(), mem_space.id(), file_space.id(), out);
}

}  // namespace h5dig::h5

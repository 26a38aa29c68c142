#include "h5dig/h5/read_support.hpp"

#include <fmt/format.h>

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

namespace {
std::string order_char(H5T_order_t order, std::size_t size) {
  if (size == 1) return "|";
  return order == H5T_ORDER_BE ? ">" : "<";
}
}  // namespace

StoredTypeInfo describe_stored_type(const Datatype& stored) {
  StoredTypeInfo info;
  info.size = stored.size();
  const H5T_class_t cls = stored.type_class();
  const std::string bytes = std::to_string(info.size);
  switch (cls) {
    case H5T_INTEGER: {
      H5T_sign_t sign = H5Tget_sign(stored.id());
      if (sign < 0) check(-1, "H5Tget_sign");
      const char* kind = sign == H5T_SGN_NONE ? "u" : "i";
      info.npy_descr = order_char(stored.order(), info.size) + kind + bytes;
      info.summary = fmt::format("{}int{} {}", sign == H5T_SGN_NONE ? "u" : "", info.size * 8,
                                 stored.order() == H5T_ORDER_BE ? "BE" : "LE");
      break;
    }
    case H5T_FLOAT:
      info.npy_descr = order_char(stored.order(), info.size) + "f" + bytes;
      info.summary = fmt::format("float{} {}", info.size * 8, stored.order() == H5T_ORDER_BE ? "BE" : "LE");
      break;
    case H5T_STRING:
      if (stored.is_variable_string()) {
        info.fixed_size = false;
        info.summary = "variable-length string";
      } else {
        info.npy_descr = "|S" + bytes;
        info.summary = fmt::format("string ({} bytes)", info.size);
      }
      break;
    case H5T_VLEN:
      info.fixed_size = false;
      info.summary = "variable-length sequence";
      break;
    case H5T_REFERENCE:
      info.fixed_size = false;
      info.summary = "reference";
      break;
    case H5T_ENUM: {
      // h5py reads an enum as its base integer type.
      Datatype base(check_id(H5Tget_super(stored.id()), "H5Tget_super"));
      StoredTypeInfo b = describe_stored_type(base);
      info.npy_descr = b.npy_descr;
      info.summary = "enum of " + b.summary;
      break;
    }
    default:
      info.npy_descr = "|V" + bytes;
      info.summary = fmt::format("{} ({} bytes)", cls == H5T_COMPOUND ? "compound" : cls == H5T_ARRAY ? "array" : "opaque",
                                 info.size);
      // Compound/array members may themselves be variable-length.
      if (H5Tdetect_class(stored.id(), H5T_VLEN) > 0 || H5Tdetect_class(stored.id(), H5T_REFERENCE) > 0 ||
          (H5Tdetect_class(stored.id(), H5T_STRING) > 0 && H5Tis_variable_str(stored.id()) > 0)) {
        info.fixed_size = false;
      }
      break;
  }
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

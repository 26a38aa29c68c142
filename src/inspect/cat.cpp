// `h5dig cat`: a dataset's stored bytes to a stream, a bounded slab at a time.
#include <fmt/format.h>

#include "h5dig/error.hpp"
#include "h5dig/h5/describe.hpp"
#include "h5dig/inspect/ls.hpp"
#include "h5dig/object_path.hpp"
#include "slabs.hpp"

namespace h5dig::inspect {

void run_cat(const std::string& path, std::ostream& out) {
  ObjectPath op = split_object_path(path);
  if (op.object.empty()) {
    throw Error(ErrorKind::usage, fmt::format("{}: name a dataset inside the file (FILE/DATASET)", path));
  }
  h5::File file = h5::File::open(op.file);
  std::string oname = "/" + op.object;
  auto info = h5::object_info(file.id(), oname);
  if (!info) throw Error(ErrorKind::io, fmt::format("{}: {}: no such object", op.file, op.object));
  if (info->type != h5::ObjectType::dataset) {
    const char* kind = info->type == h5::ObjectType::group ? "a group" : info->type == h5::ObjectType::named_datatype ? "a named datatype" : "not a dataset";
    throw Error(ErrorKind::io, fmt::format("{}: {}: is {}, not a dataset", op.file, op.object, kind));
  }
  h5::ObjectId obj = h5::open_object(file.id(), oname);
  h5::DatasetDesc d = h5::describe_dataset(obj.get());
  using Kind = h5::TypeDesc::Kind;
  bool variable = d.type.kind == Kind::vlen || d.type.kind == Kind::reference || (d.type.kind == Kind::string && d.type.variable);
  if (variable) {
    throw Error(ErrorKind::unsupported,
                fmt::format("{}: {}: variable-length or reference data has no byte representation to cat", op.file,
                            op.object));
  }
  if (d.space.kind == h5::SpaceDesc::Kind::null) return;  // null dataspace: no bytes
  std::vector<std::byte> buf;
  try {
    for_each_slab(d.space.kind == h5::SpaceDesc::Kind::scalar ? std::vector<std::uint64_t>{} : d.space.dims, d.type.size, d.chunk,
                  [&](const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count) {
                    h5::read_raw_slab(obj.get(), start, count, buf);
                    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
                    if (!out) throw Error(ErrorKind::io, "error writing output");
                  });
  } catch (const Error& e) {
    throw e.with_context(fmt::format("{}: {}", op.file, op.object));
  }
}

}  // namespace h5dig::inspect

#include "data.hpp"

#include <fmt/format.h>

#include <ostream>
#include <streambuf>

#include "api_error.hpp"
#include "encode.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/inspect/json_values.hpp"
#include "h5dig/io/selection.hpp"

namespace h5dig::serve {

using h5::TypeDesc;

namespace {

const char* kind_word(Entity::Kind k) {
  switch (k) {
    case Entity::Kind::group: return "a group";
    case Entity::Kind::datatype: return "a committed datatype";
    case Entity::Kind::soft_link: return "an unresolved soft link";
    case Entity::Kind::external_link: return "an external link (h5dig serve never follows them)";
    default: return "not a dataset";
  }
}

const char* format_name(Format f) {
  switch (f) {
    case Format::json: return "json";
    case Format::bin: return "bin";
    case Format::npy: return "npy";
    case Format::csv: return "csv";
    default: return "tiff";
  }
}

// Fallback notes (H5Dread for a filter h5dig has no codec for) are the
// server's business, not the request's.
struct NullBuffer : std::streambuf {
  int overflow(int c) override { return c; }
};

// A ParallelReader taken from the gate for one request; whatever happens it
// goes back (or is closed) with the HDF5 lock held.
class Lease {
 public:
  Lease(Hdf5Gate& gate, std::unique_lock<std::mutex>& lock, std::unique_ptr<io::ParallelReader> reader)
      : gate_(gate), lock_(lock), reader_(std::move(reader)) {}
  ~Lease() {
    if (!lock_.owns_lock()) lock_.lock();
    if (failed_) {
      reader_.reset();  // its state after an error is not worth keeping
    } else {
      gate_.give_back(std::move(reader_));
    }
  }
  io::ParallelReader& operator*() { return *reader_; }
  io::ParallelReader* operator->() { return reader_.get(); }
  void failed() { failed_ = true; }

 private:
  Hdf5Gate& gate_;
  std::unique_lock<std::mutex>& lock_;
  std::unique_ptr<io::ParallelReader> reader_;
  bool failed_ = false;
};

}  // namespace

std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{} bytes", bytes);
  std::string s = fmt::format("{:.1f}", v);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s + " " + units[u];
}

Answer answer_data(DataContext& ctx, const std::filesystem::path& real, const std::string& served,
                   const std::string& path, ResolveLinks links, const DataQuery& q) {
  const char* endpoint = q.stats ? "/stats" : "/data";
  auto lock = ctx.gate.lock();
  h5::Id file = ctx.gate.file(real);
  const Entity entity = resolve_entity(file, path, links, served);
  if (entity.kind != Entity::Kind::dataset) {
    throw ApiError(422, fmt::format("{} in {} is {}: {} reads datasets", path, served, kind_word(entity.kind), endpoint));
  }
  h5::ObjectId dataset = h5::open_object(file, entity.object_path);
  const h5::DatasetDesc desc = h5::describe_dataset(dataset.get());
  const TypeDesc& type = desc.type;
  const bool scalar = desc.space.kind == h5::SpaceDesc::Kind::scalar,
             null_space = desc.space.kind != h5::SpaceDesc::Kind::scalar && desc.space.kind != h5::SpaceDesc::Kind::simple;
  if ((scalar || null_space) && !q.selection.empty()) {
    throw ApiError(400, fmt::format("selection '{}': {} in {} is {}, it takes no selection", q.selection, path, served,
                                    scalar ? "a scalar" : "empty (a null dataspace)"));
  }
  io::NumpySelection sel;
  if (!scalar && !null_space) {
    try {
      sel = io::parse_numpy_selection(q.selection, desc.space.dims);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::usage) throw;
      throw ApiError(400, e.what());
    }
  }

  // Does the request apply to this data?
  const bool variable = has_variable_length(type);
  const std::size_t result_rank = sel.shape.size();
  if (q.stats) {
    if (!is_real(type)) throw ApiError(422, "Unsupported statistics for non-numeric data");
  } else {
    if (q.safe && !is_numeric(type)) throw ApiError(422, "Unsupported dtype safe for non-numeric data");
    switch (q.format) {
      case Format::json:
        if (!inspect::has_json_form(type)) {
          throw ApiError(422, fmt::format("{} in {} has no JSON form ({}); use format=bin", path, served,
                                          type.kind == TypeDesc::Kind::opaque ? "opaque data" : "this type"));
        }
        break;
      case Format::bin:
        if (variable || type.kind == TypeDesc::Kind::string) {
          throw ApiError(422, "Unsupported encoding bin for string or variable-length data; use format=json");
        }
        break;
      case Format::npy:
        if (!is_numeric(type) || type.kind == TypeDesc::Kind::array) {
          throw ApiError(422, "Unsupported encoding npy for non-numeric content");
        }
        break;
      case Format::csv:
        if (!is_real(type)) throw ApiError(422, "Unsupported encoding csv for non-numeric content");
        if (result_rank < 1 || result_rank > 2) {
          throw ApiError(422, fmt::format("Unsupported encoding csv for {}-D data: select 1-D or 2-D", result_rank));
        }
        break;
      case Format::tiff:
        if (!is_real(type)) throw ApiError(422, "Unsupported encoding tiff for non-numeric content");
        if (result_rank != 2) {
          throw ApiError(422, fmt::format("Unsupported encoding tiff for {}-D data: select a 2-D slice", result_rank));
        }
        break;
    }
  }
  if (null_space) {
    if (q.stats) {
      return {R"({"strict_positive_min":null,"positive_min":null,"min":null,"max":null,"mean":null,"std":null})",
              "application/json", ""};
    }
    if (q.format == Format::bin) return {"", "application/octet-stream", ""};
    return {"null", "application/json", ""};
  }

  // The bound, from shape and type alone: nothing is read or allocated yet.
  const std::uint64_t elements = scalar ? 1 : sel.selection.element_count();
  const std::uint64_t element_bytes =
      variable ? 16 : (q.safe || q.stats) && is_numeric(type) ? safe_type(type).size : type.size;
  const std::uint64_t bytes =
      element_bytes && elements > UINT64_MAX / element_bytes ? UINT64_MAX : elements * element_bytes;
  if (bytes > ctx.max_selection) {
    throw ApiError(413, fmt::format("selection of {} is above the server's limit of {} (h5dig serve --max-selection); "
                                    "select a slice",
                                    human_size(bytes), human_size(ctx.max_selection)));
  }

  if (variable) {
    // Strings and sequences live on HDF5's heap: H5Dread into memory types,
    // rendered (and reclaimed) under the lock. Only JSON gets this far.
    h5::ValueBuffer values = scalar ? h5::read_dataset_values(dataset.get(), {}, {})
                                    : h5::read_dataset_values(dataset.get(), sel.selection.start, sel.selection.count,
                                                              sel.selection.step);
    Answer a{"", "application/json", ""};
    inspect::append_json_values(a.body, values.mem_type, values.bytes.data(), sel.shape, scalar, q.flatten);
    return a;
  }

  // Fixed-size data: h5dig's reader, decoding with the lock released when it can.
  std::string name = entity.object_path.substr(1);
  std::vector<std::byte> raw;
  {
    Lease reader(ctx.gate, lock, ctx.gate.take_reader(real, name));
    NullBuffer null_buffer;
    std::ostream notes(&null_buffer);
    io::ReadOptions options{.threads = ctx.threads, .notes = &notes};
    raw.resize(scalar ? type.size : reader->output_bytes(sel.selection));
    const bool outside = !reader->read_enters_hdf5(options);
    if (outside) lock.unlock();
    try {
      reader->read(sel.selection, raw, options);
      reader->element_type().as_h5py(raw);  // fixed strings as h5py shows them
    } catch (...) {
      reader.failed();
      throw;
    }
  }
  dataset = h5::ObjectId();  // closed under the lock, which the lease holds again
  lock.unlock();

  // Encoding: no HDF5 from here on. dtype=safe, /stats, csv and tiff want
  // little-endian float32/float64 and integers.
  const bool little_endian = q.safe || q.stats || q.format == Format::csv || q.format == Format::tiff;
  std::span<const std::byte> data = raw;
  std::vector<std::byte> converted;
  TypeDesc data_type = type;
  if (little_endian && is_numeric(type)) {
    data_type = safe_type(type);
    if (needs_conversion(type)) {
      converted = convert(type, data_type, raw, elements);
      data = converted;
    }
  }
  if (q.stats) return {stats(data_type, data, elements), "application/json", ""};
  switch (q.format) {
    case Format::json: {
      Answer a{"", "application/json", ""};
      a.body.reserve(static_cast<std::size_t>(elements) * 4);
      inspect::append_json_values(a.body, type, raw.data(), sel.shape, scalar, q.flatten);
      return a;
    }
    case Format::bin:
      return {std::string(reinterpret_cast<const char*>(data.data()), data.size()), "application/octet-stream", ""};
    case Format::npy:
      return {npy(h5::numpy_dtype(data_type).descr, sel.shape, data), "application/octet-stream", "data.npy"};
    case Format::csv:
      return {csv(data_type, sel.shape, data), "text/csv", "data.csv"};
    case Format::tiff:
      return {tiff(data_type, sel.shape, data), "image/tiff", "data.tiff"};
  }
  throw ApiError(400, fmt::format("unknown format '{}'", format_name(q.format)));
}

}  // namespace h5dig::serve

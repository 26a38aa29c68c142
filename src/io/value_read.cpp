#include "value_read.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <span>

#include "h5dig/error.hpp"
#include "h5dig/h5/describe.hpp"
#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/h5/value_json.hpp"
#include "h5dig/io/selection.hpp"
#include "h5dig/io/value_batches.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::io {

namespace {

using h5::TypeDesc;

bool ends_with(const std::string& s, const std::string& tail) {
  if (s.size() < tail.size()) return false;
  std::string end = s.substr(s.size() - tail.size());
  std::transform(end.begin(), end.end(), end.begin(), [](unsigned char c) { return std::tolower(c); });
  return end == tail;
}

// The element as NumPy strings: a variable-length string, or an array of them.
bool is_vlen_string_element(const TypeDesc& t) {
  if (t.kind == TypeDesc::Kind::string) return t.variable;
  return t.kind == TypeDesc::Kind::array && !t.super.empty() && t.super[0].kind == TypeDesc::Kind::string &&
         t.super[0].variable;
}

struct Source {
  std::string where;
  h5::File file;
  h5::Dataset ds;
  h5::DatasetDesc desc;
};

Source open_source(const std::string& file, const std::string& dataset) {
  h5::init();
  h5::File f = h5::File::open(file);
  std::string where = file + "/" + dataset;
  try {
    h5::Dataset ds = f.root().open_dataset(dataset);
    h5::DatasetDesc desc = h5::describe_dataset(ds.id());
    return Source{where, std::move(f), std::move(ds), std::move(desc)};
  } catch (const Error& e) {
    throw Error(ErrorKind::io, fmt::format("{}: cannot open dataset: {}", where, e.what()));
  }
}

// Calls fn(buffer, first element index) for consecutive row-major batches of
// `sel` (io/value_batches.hpp: H5Dread in the native memory type) and, with
// `verify`, compares each with a second H5Dread of the same batch.
template <typename Fn>
void for_each_batch(const Source& src, const Selection& sel, bool verify, Fn&& fn) {
  std::uint64_t first = 0;
  for (const Selection& batch : value_batches(sel, src.desc.type.size)) {
    h5::ValueBuffer vb = read_value_batch(src.ds, batch, src.where);
    if (verify) {
      h5::ValueBuffer ref = read_value_batch(src.ds, batch, src.where);
      const std::size_t es = vb.mem_type.size;
      for (std::uint64_t i = 0; i < vb.count; ++i) {
        std::string a, b;
        h5::append_json_value(a, vb.mem_type, vb.bytes.data() + i * es);
        h5::append_json_value(b, ref.mem_type, ref.bytes.data() + i * es);
        if (a != b) {
          throw Error(ErrorKind::verify, fmt::format("{}: verify: h5dig's read differs from H5Dread at element {} of the selection",
                                                     src.where, first + i));
        }
      }
    }
    fn(vb, first);
    first += vb.count;
  }
}

// Nested JSON lists along `shape`, streamed: brackets open and close as the
// row-major element index crosses each dimension's boundaries.
class NestedLists {
 public:
  explicit NestedLists(std::vector<std::uint64_t> shape) : shape_(std::move(shape)) {
    strides_.assign(shape_.size(), 1);
    for (std::size_t d = shape_.size(); d-- > 1;) strides_[d - 1] = strides_[d] * shape_[d];
  }
  // Before element `i`: separators and opening brackets.
  void before(std::string& out, std::uint64_t i) const {
    if (i > 0) out += ", ";
    for (std::size_t d = 0; d < shape_.size(); ++d) {
      if (i % (strides_[d] * shape_[d]) == 0) out += '[';
    }
  }
  // After element `i`: closing brackets.
  void after(std::string& out, std::uint64_t i) const {
    for (std::size_t d = shape_.size(); d-- > 0;) {
      if ((i + 1) % (strides_[d] * shape_[d]) == 0) out += ']';
    }
  }
  // The document of a selection without elements (a zero in the shape).
  std::string empty() const {
    std::string s;
    empty_level(s, 0);
    return s;
  }

 private:
  void empty_level(std::string& s, std::size_t d) const {
    s += '[';
    if (d + 1 < shape_.size()) {
      for (std::uint64_t i = 0; i < shape_[d]; ++i) {
        if (i) s += ", ";
        empty_level(s, d + 1);
      }
    }
    s += ']';
  }
  std::vector<std::uint64_t> shape_, strides_;
};

struct Written {
  std::uint64_t elements = 0;
  std::uint64_t bytes = 0;
};

Written write_json(const Source& src, const Selection& sel, bool verify, bool null_space, const std::string& output,
                   bool lines) {
  Written w;
  std::optional<util::AtomicOutput> file;
  if (!lines) file.emplace(output, util::AtomicOutput::Access::in_place);
  auto emit = [&](const std::string& text) {
    if (lines) {
      std::cout << text;
    } else {
      file->write_at(w.bytes, std::as_bytes(std::span(text)));
    }
    w.bytes += text.size();
  };
  if (null_space) {
    if (!lines) emit("[]\n");
  } else if (sel.element_count() == 0) {
    if (!lines) emit(NestedLists(sel.count).empty() + "\n");
  } else {
    NestedLists nest(sel.count);
    for_each_batch(src, sel, verify, [&](const h5::ValueBuffer& vb, std::uint64_t first) {
      std::string text;
      const std::size_t es = vb.mem_type.size;
      for (std::uint64_t i = 0; i < vb.count; ++i) {
        if (!lines) nest.before(text, first + i);
        h5::append_json_value(text, vb.mem_type, vb.bytes.data() + i * es);
        if (lines) text += '\n';
        else nest.after(text, first + i);
      }
      w.elements += vb.count;
      emit(text);
    });
    if (!lines) emit("\n");
  }
  if (lines) std::cout.flush();
  if (file) file->commit();
  return w;
}

// Variable-length strings as NumPy's '<U{longest}': one pass for the
// longest string (in code points), one for the data (UTF-32LE, NUL-padded).
Written write_unicode_npy(const Source& src, const Selection& sel, bool verify, bool null_space,
                          const std::string& output) {
  const TypeDesc& t = src.desc.type;
  std::vector<std::uint64_t> sub = t.kind == TypeDesc::Kind::array ? t.dims : std::vector<std::uint64_t>{};
  std::uint64_t per_element = 1;
  for (auto d : sub) per_element *= d;
  auto strings_of = [&](const h5::ValueBuffer& vb, std::uint64_t i, auto&& fn) {
    const std::byte* p = vb.bytes.data() + i * vb.mem_type.size;
    for (std::uint64_t k = 0; k < per_element; ++k) {
      const char* s;
      std::memcpy(&s, p + k * sizeof(char*), sizeof s);
      fn(s ? s : "", s ? std::strlen(s) : 0);
    }
  };
  std::size_t longest = 0;
  std::u32string cps;
  if (!null_space) {
    for_each_batch(src, sel, false, [&](const h5::ValueBuffer& vb, std::uint64_t) {
      for (std::uint64_t i = 0; i < vb.count; ++i) {
        strings_of(vb, i, [&](const char* s, std::size_t n) {
          cps.clear();
          h5::utf8_code_points(s, n, cps);
          longest = std::max(longest, cps.size());
        });
      }
    });
  }
  const std::size_t width = std::max<std::size_t>(longest, 1);
  std::vector<std::uint64_t> shape = sel.count;
  if (null_space) shape = {0};
  shape.insert(shape.end(), sub.begin(), sub.end());
  const std::uint64_t elements = null_space ? 0 : sel.element_count();
  const std::uint64_t data_bytes = elements * per_element * width * 4;
  util::AtomicOutput file(output, util::AtomicOutput::Access::in_place);
  const std::uint64_t data_offset = begin_output(file, npy_header(fmt::format("<U{}", width), shape), data_bytes);
  Written w;
  if (!null_space) {
    std::vector<std::byte> buf;
    for_each_batch(src, sel, verify, [&](const h5::ValueBuffer& vb, std::uint64_t first) {
      buf.assign(vb.count * per_element * width * 4, std::byte{0});
      std::size_t at = 0;
      for (std::uint64_t i = 0; i < vb.count; ++i) {
        strings_of(vb, i, [&](const char* s, std::size_t n) {
          cps.clear();
          h5::utf8_code_points(s, n, cps);
          for (std::size_t c = 0; c < cps.size() && c < width; ++c) {
            const auto v = static_cast<std::uint32_t>(cps[c]);
            for (int b = 0; b < 4; ++b) buf[at + 4 * c + b] = static_cast<std::byte>((v >> (8 * b)) & 0xff);
          }
          at += width * 4;
        });
      }
      file.write_at(data_offset + first * per_element * width * 4, buf);
      w.elements += vb.count;
    });
  }
  w.bytes = data_bytes;
  file.commit();
  return w;
}

}  // namespace

bool reads_values(const std::string& file, const std::string& dataset, const std::string& output) {
  if (output == "-" || ends_with(output, ".json")) return true;
  h5::init();
  h5::File f = h5::File::open(file);
  try {
    h5::Dataset ds = f.root().open_dataset(dataset);
    return h5::holds_variable_length(h5::describe_type(ds.type().id()));
  } catch (const Error&) {
    return false;  // ParallelReader says what is wrong, as it always has
  }
}

void run_value_read(const ReadCommandOptions& options, std::ostream& report) {
  ObjectPath path = split_object_path(options.object);
  Source src = open_source(path.file, path.object);
  const TypeDesc& t = src.desc.type;
  if (h5::contains_kind(t, TypeDesc::Kind::reference)) {
    throw_unsupported(fmt::format("{}: reference elements are object addresses, not values: read refuses them", src.where));
  }
  const bool null_space = src.desc.space.kind == h5::SpaceDesc::Kind::null;
  const std::vector<std::uint64_t> shape = src.desc.space.kind == h5::SpaceDesc::Kind::simple ? src.desc.space.dims : std::vector<std::uint64_t>{};
  Selection sel;
  try {
    sel = parse_selection(options.select, shape);
  } catch (const Error& e) {
    throw e.with_context(src.where);
  }
  if (h5::contains_kind(t, TypeDesc::Kind::time) && !null_space && sel.element_count() > 0) {
    // (An empty one, like PyTables' never-appended VLArrays of time, reads as [].)
    throw_unsupported(fmt::format("{}: time-class elements have no values HDF5 converts (no native time type)", src.where));
  }
  const bool to_json = ends_with(options.output, ".json");
  const bool to_lines = options.output == "-";
  const bool to_npy = ends_with(options.output, ".npy");
  if (!options.output.empty() && !to_json && !to_lines && !(to_npy && is_vlen_string_element(t))) {
    throw_unsupported(fmt::format("{}: variable-length data has no stored bytes to write as raw or .npy data; "
                                  "write it as values: -o OUT.json, -o - (JSON lines){}",
                                  src.where, "; .npy takes variable-length strings"));
  }
  const auto t0 = std::chrono::steady_clock::now();
  Written w;
  if (to_json || to_lines) {
    w = write_json(src, sel, options.verify, null_space, options.output, to_lines);
  } else if (to_npy) {
    w = write_unicode_npy(src, sel, options.verify, null_space, options.output);
  } else if (!null_space) {
    for_each_batch(src, sel, options.verify, [&](const h5::ValueBuffer& vb, std::uint64_t) { w.elements += vb.count; });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report << fmt::format("read {} element{} as values ({} bytes written) in {:.3f} s, H5Dread in batches{}\n", w.elements,
                        w.elements == 1 ? "" : "s", w.bytes, seconds,
                        options.verify ? "; verified: identical to H5Dread" : "");
}

}  // namespace h5dig::io

#include "h5dig/chunk/chunk_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/chunk_info.hpp"
#include "h5dig/h5/create.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::chunk {

ReportFormat parse_report_format(std::string_view name) {
  if (name == "text") return ReportFormat::text;
  if (name == "csv") return ReportFormat::csv;
  if (name == "json") return ReportFormat::json;
  if (name == "kerchunk") return ReportFormat::kerchunk;
  throw_usage(fmt::format("unknown chunk report format '{}' (text, csv, json, kerchunk)", name));
}

namespace {

// Chunk indices in C order of offsets, without reordering the map itself.
std::vector<std::size_t> c_order(const ChunkMap& map) {
  std::vector<std::size_t> order(map.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto less = [&](std::size_t a, std::size_t b) {
    auto oa = map.offset(a), ob = map.offset(b);
    return std::lexicographical_compare(oa.begin(), oa.end(), ob.begin(), ob.end());
  };
  if (!std::is_sorted(order.begin(), order.end(), less)) std::sort(order.begin(), order.end(), less);
  return order;
}

// Appends decimal `v` to `buf` (faster than streams for a million rows).
inline void put(std::string& buf, std::uint64_t v) { fmt::format_to(std::back_inserter(buf), "{}", v); }

}  // namespace

void write_chunks_json(std::ostream& out, const ChunkMap& map) {
  std::string buf;
  buf.reserve(1 << 16);
  buf += "{\"chunk_shape\": [";
  for (std::size_t d = 0; d < map.rank(); ++d) {
    if (d) buf += ", ";
    put(buf, map.chunk_shape()[d]);
  }
  buf += "], \"chunks\": [";
  bool first = true;
  for (std::size_t i : c_order(map)) {
    buf += first ? "\n  {\"offset\": [" : ",\n  {\"offset\": [";
    first = false;
    auto off = map.offset(i);
    for (std::size_t d = 0; d < off.size(); ++d) {
      if (d) buf += ", ";
      put(buf, off[d]);
    }
    const auto& r = map.record(i);
    buf += "], \"filter_mask\": ";
    put(buf, r.filter_mask);
    buf += ", \"byte_offset\": ";
    put(buf, r.byte_offset);
    buf += ", \"size\": ";
    put(buf, r.size);
    buf += "}";
    if (buf.size() > (1 << 16) - 512) {
      out << buf;
      buf.clear();
    }
  }
  buf += first ? "]}\n" : "\n]}\n";
  out << buf;
}

void write_chunks_csv(std::ostream& out, const ChunkMap& map) {
  std::string buf;
  for (std::size_t d = 0; d < map.rank(); ++d) fmt::format_to(std::back_inserter(buf), "offset_{},", d);
  buf += "filter_mask,byte_offset,size\n";
  for (std::size_t i : c_order(map)) {
    for (auto o : map.offset(i)) {
      put(buf, o);
      buf += ',';
    }
    const auto& r = map.record(i);
    put(buf, r.filter_mask);
    buf += ',';
    put(buf, r.byte_offset);
    buf += ',';
    put(buf, r.size);
    buf += '\n';
    if (buf.size() > (1 << 16) - 512) {
      out << buf;
      buf.clear();
    }
  }
  out << buf;
}

void write_chunks_text(std::ostream& out, const ChunkMap& map, std::string_view title) {
  const std::uint64_t n = map.size();
  const std::uint64_t grid = map.chunk_grid_count();
  const std::uint64_t allocated = map.allocated_bytes();
  const std::uint64_t logical = n * map.chunk_nbytes();
  std::vector<std::uint64_t> sizes(n);
  for (std::size_t i = 0; i < n; ++i) sizes[i] = map.record(i).size;
  std::sort(sizes.begin(), sizes.end());
  std::size_t masked = 0;
  for (std::size_t i = 0; i < n; ++i) masked += map.record(i).filter_mask != 0;
  auto bytes = [](std::uint64_t b) {
    return b < 1000 ? fmt::format("{} B", b) : fmt::format("{} B ({})", b, util::format_bytes(static_cast<double>(b)));
  };
  fmt::print(out, "dataset:            {}\n", title);
  fmt::print(out, "shape:              {} (chunks {}, {} bytes an element)\n", fmt::join(map.dataset_shape(), "x"),
             fmt::join(map.chunk_shape(), "x"), map.element_size());
  fmt::print(out, "index:              {}\n", map.source());
  fmt::print(out, "chunks:             {} allocated of {} ({} unallocated)\n", n, grid, grid >= n ? grid - n : 0);
  fmt::print(out, "logical bytes:      {}\n", bytes(logical));
  fmt::print(out, "allocated bytes:    {}\n", bytes(allocated));
  if (allocated > 0)
    fmt::print(out, "compression ratio:  {:.2f}\n", static_cast<double>(logical) / static_cast<double>(allocated));
  else
    fmt::print(out, "compression ratio:  -\n");
  if (n > 0) {
    // Median of an even count: the lower middle (a real chunk's size).
    fmt::print(out, "chunk size:         smallest {}, median {}, largest {}\n", bytes(sizes.front()),
               bytes(sizes[(n - 1) / 2]), bytes(sizes.back()));
  }
  if (masked > 0) fmt::print(out, "filters skipped:    {} chunks have a non-zero filter mask\n", masked);
}

namespace {

// numpy/zarr v2 dtype string ("<i4", ">f8", "|u1") for plain numbers.
std::string zarr_dtype(const h5::Dataset& dataset, std::string_view what) {
  auto type = dataset.type();
  const auto cls = type.type_class();
  const std::size_t size = type.size();
  char kind = 0;
  if (cls == h5::TypeClass::integer) kind = type.is_signed() ? 'i' : 'u';
  else if (cls == h5::TypeClass::floating) kind = 'f';
  else if (cls == h5::TypeClass::bitfield || cls == h5::TypeClass::opaque) kind = 'V';
  if (kind == 0 || (kind == 'V' && cls == h5::TypeClass::bitfield))
    throw_unsupported(fmt::format("{}: kerchunk: datatype class {} has no zarr v2 description", what,
                                  static_cast<int>(cls)));
  char order = size == 1 ? '|' : (type.order() == h5::ByteOrder::big ? '>' : '<');
  return fmt::format("{}{}{}", order, kind, size);
}

nlohmann::json zarr_fill_value(const h5::Dataset& dataset, const std::string& dtype) {
  // Empty unless user-defined: HDF5's default fill value is all zero bytes.
  auto bytes = h5::fill_value_bytes(dataset);
  if (bytes.empty()) bytes.assign(dataset.type().size(), std::byte{0});
  const bool big = dtype[0] == '>';
  if (big) std::reverse(bytes.begin(), bytes.end());  // to host (little-endian) order
  const char kind = dtype[1];
  const std::size_t size = bytes.size();
  auto as_u64 = [&] {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data(), std::min<std::size_t>(size, 8));
    return v;
  };
  if (kind == 'u') return as_u64();
  if (kind == 'i') {
    std::uint64_t v = as_u64();
    if (size < 8 && (v >> (8 * size - 1)) & 1) v |= ~std::uint64_t{0} << (8 * size);  // sign-extend
    return static_cast<std::int64_t>(v);
  }
  if (kind == 'f') {
    double d = 0;
    if (size == 4) {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      d = f;
    } else if (size == 8) {
      std::memcpy(&d, bytes.data(), 8);
    } else {
      return nullptr;
    }
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
  }
  return nullptr;
}

nlohmann::json zarr_filters(const std::vector<codec::FilterSpec>& filters, std::size_t element_size,
                            std::string_view what) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : filters) {
    const std::string name = codec::filter_name(f.id).empty() ? f.name : codec::filter_name(f.id);
    auto refuse = [&](std::string_view why) {
      throw_unsupported(fmt::format("{}: kerchunk: filter {} (id {}) {}", what, name.empty() ? "?" : name, f.id, why));
    };
    switch (f.id) {
      case codec::kDeflateId:
        out.push_back({{"id", "zlib"}, {"level", f.cd_values.empty() ? 6u : f.cd_values[0]}});
        break;
      case codec::kShuffleId: out.push_back({{"id", "shuffle"}, {"elementsize", element_size}}); break;
      case codec::kFletcher32Id: out.push_back({{"id", "fletcher32"}}); break;
      case codec::kZstdId: out.push_back({{"id", "zstd"}, {"level", f.cd_values.empty() ? 3u : f.cd_values[0]}}); break;
      case codec::kBloscId: {
        // Blosc frames are self-describing: numcodecs decodes them whatever
        // the parameters; record what the file says for encoders.
        static const char* cnames[] = {"blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"};
        unsigned clevel = f.cd_values.size() > 4 ? f.cd_values[4] : 5;
        unsigned shuffle = f.cd_values.size() > 5 ? f.cd_values[5] : 1;
        unsigned comp = f.cd_values.size() > 6 ? f.cd_values[6] : 0;
        out.push_back({{"id", "blosc"},
                       {"cname", comp < 6 ? cnames[comp] : "blosclz"},
                       {"clevel", clevel},
                       {"shuffle", shuffle},
                       {"blocksize", 0}});
        break;
      }
      case codec::kLz4Id: refuse("frames LZ4 blocks in HDF5's own format, which zarr's lz4 codec cannot read"); break;
      case codec::kBitshuffleId: refuse("(bitshuffle) has no zarr v2 codec in numcodecs"); break;
      default: refuse("has no zarr v2 codec"); break;
    }
  }
  return out;
}

}  // namespace

void write_chunks_kerchunk(std::ostream& out, const ChunkMap& map, const h5::Dataset& dataset, std::string_view url,
                           std::string_view name) {
  const std::string what = fmt::format("{}/{}", url, name);
  const std::string dtype = zarr_dtype(dataset, what);
  auto dcpl = dataset.create_plist();
  auto filters = zarr_filters(h5::read_filter_specs(dcpl), map.element_size(), what);
  nlohmann::json zarray = {
      {"zarr_format", 2},
      {"shape", map.dataset_shape()},
      {"chunks", map.chunk_shape()},
      {"dtype", dtype},
      // HDF5 applies its pipeline in order on write; zarr v2 applies `filters`
      // in order then the compressor, so the whole pipeline goes in `filters`.
      {"compressor", nullptr},
      {"filters", filters.empty() ? nlohmann::json(nullptr) : filters},
      {"fill_value", zarr_fill_value(dataset, dtype)},
      {"order", "C"},
  };
  if (map.rank() == 0) throw_unsupported(fmt::format("{}: kerchunk: scalar dataset", what));
  nlohmann::json refs = nlohmann::json::object();
  refs[".zgroup"] = nlohmann::json({{"zarr_format", 2}}).dump();
  const std::string prefix = std::string(name);
  // Every group on the way to the array is a zarr group too ("entry/.zgroup").
  for (std::size_t slash = prefix.find('/'); slash != std::string::npos; slash = prefix.find('/', slash + 1))
    refs[prefix.substr(0, slash) + "/.zgroup"] = refs[".zgroup"];
  refs[prefix + "/.zarray"] = zarray.dump();
  refs[prefix + "/.zattrs"] = nlohmann::json::object().dump();
  for (std::size_t i : c_order(map)) {
    auto off = map.offset(i);
    const auto& r = map.record(i);
    if (r.filter_mask != 0)
      throw_unsupported(fmt::format("{}: kerchunk: chunk [{}] skips filters (mask {:#x}); zarr cannot describe it",
                                    what, fmt::join(off, ","), r.filter_mask));
    std::string key = prefix + "/";
    for (std::size_t d = 0; d < off.size(); ++d) {
      if (d) key += '.';
      key += std::to_string(off[d] / map.chunk_shape()[d]);
    }
    refs[key] = nlohmann::json::array({std::string(url), r.byte_offset, r.size});
  }
  out << nlohmann::json({{"version", 1}, {"refs", refs}}).dump() << "\n";
}

void run_chunks(std::ostream& out, const std::string& object_path, ReportFormat format, MapMethod method) {
  auto path = split_object_path(object_path);
  if (path.object.empty()) throw_usage(fmt::format("{}: name a dataset (FILE/DATASET)", object_path));
  h5::init();
  auto file = h5::File::open(path.file);
  auto root = file.root();
  if (!root.exists(path.object)) throw_usage(fmt::format("{}: no object '{}'", path.file, path.object));
  if (root.object_type(path.object) != h5::ObjectType::dataset)
    throw_usage(fmt::format("{}: '{}' is not a dataset", path.file, path.object));
  auto dataset = root.open_dataset(path.object);
  if (dataset.layout() != h5::Layout::chunked)
    throw_usage(fmt::format("{}: '{}' is not chunked ({} layout)", path.file, path.object,
                            dataset.layout() == h5::Layout::contiguous ? "contiguous" : "compact"));
  ChunkMap map;
  try {
    map = map_chunks(dataset, method);
  } catch (const Error& e) {
    // format/ names the file; say which dataset too, without naming the file twice.
    std::string msg = e.what();
    const std::string file_prefix = path.file + ": ";
    if (msg.starts_with(file_prefix)) msg.erase(0, file_prefix.size());
    throw Error(e.kind(), fmt::format("{}/{}: {}", path.file, path.object, msg));
  }
  switch (format) {
    case ReportFormat::json: write_chunks_json(out, map); break;
    case ReportFormat::csv: write_chunks_csv(out, map); break;
    case ReportFormat::text: write_chunks_text(out, map, fmt::format("{}/{}", path.file, path.object)); break;
    case ReportFormat::kerchunk: write_chunks_kerchunk(out, map, dataset, path.file, path.object); break;
  }
}

}  // namespace h5dig::chunk

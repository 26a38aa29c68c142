#include "h5dig/lab/advise.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/io/chunk_writer.hpp"
#include "h5dig/lab/make.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::lab {

namespace {

std::uint64_t product(const std::vector<h5::Size>& v) {
  std::uint64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

h5::Size ceil_div(h5::Size a, h5::Size b) { return (a + b - 1) / b; }

std::string shape_str(const std::vector<h5::Size>& v) { return fmt::format("{{{}}}", fmt::join(v, ", ")); }

std::string bytes(std::uint64_t b) { return util::format_bytes(double(b)); }

constexpr std::uint64_t kDefaultCache = 1 << 20;

}  // namespace

std::vector<h5::Size> Access::unit(const std::vector<h5::Size>& dims) const {
  const std::size_t r = dims.size();
  std::vector<h5::Size> u(r, 1);
  switch (kind) {
    case Kind::frames:
      for (std::size_t d = 1; d < r; ++d) u[d] = dims[d];
      if (r == 1) u[0] = 1;
      break;
    case Kind::rows: u[r - 1] = dims[r - 1]; break;
    case Kind::columns: u[0] = dims[0]; break;
    case Kind::box:
      for (std::size_t d = 0; d < r; ++d) u[d] = std::max<h5::Size>(1, std::min(box[d], dims[d]));
      break;
  }
  return u;
}

std::string Access::describe(std::size_t rank) const {
  auto idx = [&](std::size_t fixed_from, std::size_t fixed_to, bool fixed_inside) {
    std::vector<std::string> parts;
    const char* names[] = {"i", "j", "k", "l", "m", "n"};
    for (std::size_t d = 0; d < rank; ++d) {
      bool fixed = (d >= fixed_from && d < fixed_to) == fixed_inside;
      parts.push_back(fixed ? names[std::min<std::size_t>(d, 5)] : ":");
    }
    return fmt::format("x[{}]", fmt::join(parts, ", "));
  };
  switch (kind) {
    case Kind::frames: return "frames " + idx(0, 1, true);
    case Kind::rows: return "rows " + idx(0, rank - 1, true);
    case Kind::columns: return "columns " + idx(1, rank, true);
    case Kind::box: return fmt::format("boxes {}", shape_str(box));
  }
  return "";
}

Access parse_access(const std::string& text, std::size_t rank) {
  Access a;
  if (text == "frames") a.kind = Access::Kind::frames;
  else if (text == "rows") a.kind = Access::Kind::rows;
  else if (text == "columns") a.kind = Access::Kind::columns;
  else if (text.rfind("box=", 0) == 0) {
    a.kind = Access::Kind::box;
    a.box = parse_shape(text.substr(4), "--access box");
    if (a.box.size() != rank)
      throw_usage(fmt::format("--access {}: the box has {} dimensions, the dataset {}", text, a.box.size(), rank));
  } else {
    throw_usage(fmt::format("--access '{}': expected frames, rows, columns or box=S (e.g. box=64,64,64)", text));
  }
  if (rank < 2 && (a.kind == Access::Kind::rows || a.kind == Access::Kind::columns || a.kind == Access::Kind::frames) &&
      a.kind != Access::Kind::frames)
    throw_usage(fmt::format("--access {} needs a dataset of at least 2 dimensions", text));
  return a;
}

double AccessCost::read_amplification() const {
  double data = double(accesses) * double(unit_bytes);
  return data > 0 ? double(decoded_total) / data : 0;
}

AccessCost access_cost(const std::vector<h5::Size>& dims, const std::vector<h5::Size>& chunks, std::size_t esize,
                       const Access& access, std::uint64_t cache_bytes) {
  AccessCost c;
  const std::size_t r = dims.size();
  std::vector<h5::Size> unit = access.unit(dims);
  c.unit_bytes = product(unit) * esize;
  c.chunk_bytes = product(chunks) * esize;
  c.accesses = 1;
  c.chunks_per_access = 1;
  std::uint64_t total_chunks = 1;
  for (std::size_t d = 0; d < r; ++d) {
    c.accesses *= ceil_div(dims[d], unit[d]);
    // An aligned unit spanning u elements touches ceil(u / c) chunks; a unit
    // narrower than the chunk touches one.
    c.chunks_per_access *= ceil_div(unit[d], chunks[d]) + ((unit[d] % chunks[d] != 0 && unit[d] > chunks[d]) ? 1 : 0);
    total_chunks *= ceil_div(dims[d], chunks[d]);
  }
  c.chunks_per_access = std::min(c.chunks_per_access, total_chunks);
  // Consecutive units share chunks when a chunk spans several units: then
  // the chunks of one unit must stay cached (HDF5 never caches a chunk larger
  // than the cache).
  bool shared = false;
  for (std::size_t d = 0; d < r; ++d)
    if (unit[d] < chunks[d] && dims[d] > unit[d]) shared = true;
  c.cache_needed = shared ? c.chunks_per_access * c.chunk_bytes : c.chunk_bytes;
  bool fits = c.chunks_per_access * c.chunk_bytes <= cache_bytes && c.chunk_bytes <= cache_bytes;
  std::uint64_t per_access = c.chunks_per_access * c.chunk_bytes;
  c.decoded_total = (!shared || fits) ? total_chunks * c.chunk_bytes : c.accesses * per_access;
  // Writing units in order through HDF5: a chunk spanning several units is read
  // back, decompressed, patched and recompressed for every unit unless cached.
  c.rewritten_total = (shared && !fits) ? c.accesses * per_access : 0;
  return c;
}

std::vector<h5::Size> recommend_chunks(const std::vector<h5::Size>& dims, std::size_t esize, const Access& access) {
  const std::size_t r = dims.size();
  constexpr std::uint64_t lo = 64 << 10, target = 1 << 20, hi = 4 << 20;
  std::vector<h5::Size> c = access.unit(dims);
  auto size = [&] { return product(c) * esize; };
  if (access.kind == Access::Kind::columns && r >= 2) {
    // Long along axis 0, square tiles across, about 1 MiB.
    c[0] = std::max<h5::Size>(1, std::min<h5::Size>(dims[0], target / esize));
    std::uint64_t across = std::max<std::uint64_t>(1, target / (c[0] * esize));
    double side = std::pow(double(across), 1.0 / double(r - 1));
    for (std::size_t d = 1; d < r; ++d) c[d] = std::max<h5::Size>(1, std::min<h5::Size>(dims[d], h5::Size(side)));
    return c;
  }
  // Too large: split along the leading axes of the unit (keep rows contiguous).
  for (std::size_t d = 0; size() > hi && d < r;) {
    if (c[d] > 1) c[d] = ceil_div(c[d], 2);
    else ++d;
  }
  // Too small: stack units along the axis the units advance over.
  if (size() < lo) {
    std::size_t axis = 0;
    for (std::size_t d = 0; d < r; ++d)
      if (c[d] < dims[d]) axis = d;
    if (access.kind == Access::Kind::frames) axis = 0;
    while (size() < target && c[axis] < dims[axis]) c[axis] = std::min<h5::Size>(dims[axis], c[axis] * 2);
  }
  return c;
}

namespace {

struct Trial {
  std::string filter;
  double ratio = 0, mbps = 0;
};

// Compresses a sample (one recommended chunk's worth from the start of the
// dataset) with candidate pipelines on one thread: real ratios and speeds for
// this data, not folklore.
std::vector<Trial> try_filters(const h5::Dataset& ds, const std::vector<h5::Size>& dims,
                               const std::vector<h5::Size>& chunk, std::size_t esize, bool is_float) {
  const std::size_t r = dims.size();
  std::vector<h5::Size> count(r);
  for (std::size_t d = 0; d < r; ++d) count[d] = std::min(chunk[d], dims[d]);
  std::vector<h5::Size> start(r, 0);
  std::vector<std::byte> sample(product(count) * esize);
  h5::Datatype type = ds.type();
  h5::Dataspace fs = ds.space();
  fs.select_hyperslab(start, count);
  h5::Dataspace ms = h5::Dataspace::simple(count);
  ds.read(type.id(), ms.id(), fs.id(), sample.data());
  std::vector<std::string> candidates = esize > 1 ? std::vector<std::string>{"shuffle,gzip=4", "bslz4", "shuffle,zstd=3", "lz4"}
                                                  : std::vector<std::string>{"gzip=4", "zstd=3", "lz4"};
  (void)is_float;
  std::vector<Trial> out;
  codec::Workspace ws;
  for (const auto& text : candidates) {
    try {
      auto specs = codec::resolve_filter_specs(codec::parse_filter_specs(text).filters, esize);
      codec::Pipeline p(specs, esize);
      auto t0 = std::chrono::steady_clock::now();
      std::size_t stored = 0;
      int reps = 0;
      double secs = 0;
      do {
        stored = p.encode(sample, ws).bytes.size();
        ++reps;
        secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      } while (secs < 0.05 && reps < 20);
      out.push_back({text, double(sample.size()) / double(std::max<std::size_t>(stored, 1)),
                     double(sample.size()) * reps / secs / 1e6});
    } catch (const Error&) {
      // A codec h5dig lacks in this build: not a candidate.
    }
  }
  return out;
}

}  // namespace

void run_advise(const std::string& object_path, const std::string& access_text, std::ostream& out) {
  h5::init();
  ObjectPath op = split_object_path(object_path);
  h5::File file = h5::File::open(op.file);
  if (op.object.empty() || file.root().object_type(op.object) != h5::ObjectType::dataset)
    throw_usage(fmt::format("{}: advise needs FILE/DATASET", object_path));
  h5::Dataset ds = file.root().open_dataset(op.object);
  h5::Dataspace space = ds.space();
  if (space.kind() != h5::SpaceClass::simple || space.rank() == 0)
    throw_usage(fmt::format("{}: a scalar dataset has no chunks to advise on", object_path));
  std::vector<h5::Size> dims = space.dims();
  h5::Datatype type = ds.type();
  const std::size_t esize = type.size();
  Access access = parse_access(access_text, dims.size());
  bool chunked = ds.layout() == h5::Layout::chunked;
  std::vector<h5::Size> current = chunked ? ds.chunk_dims() : dims;  // contiguous ~ one chunk of everything
  auto filters = chunked ? h5::read_filter_specs(ds.create_plist()) : std::vector<codec::FilterSpec>{};
  std::vector<h5::Size> rec = recommend_chunks(dims, esize, access);
  AccessCost now = access_cost(dims, current, esize, access, kDefaultCache);
  AccessCost then = access_cost(dims, rec, esize, access, kDefaultCache);
  std::uint64_t data_bytes = product(dims) * esize;
  std::vector<h5::Size> unit = access.unit(dims);

  out << fmt::format("{}: {} {}-byte {} ({}), {}, filters {}\n", object_path, shape_str(dims), esize,
                     type.type_class() == h5::TypeClass::floating ? "float" : "elements", bytes(data_bytes),
                     chunked ? "chunks " + shape_str(current) + " (" + bytes(now.chunk_bytes) + ")" : "contiguous",
                     filters.empty() ? "none" : codec::format_filter_specs(filters));
  out << fmt::format("access: {}: {} units of {} {}\n\n", access.describe(dims.size()), now.accesses,
                     shape_str(unit), bytes(now.unit_bytes));
  auto row = [&](const char* label, const std::vector<h5::Size>& c, const AccessCost& k) {
    auto plan = io::plan_memory(dims, c, unit, esize, 0);
    out << fmt::format("  {:<12} {:<20} {:>10} {:>8} {:>12} {:>14} {:>14} {:>13}\n", label, shape_str(c),
                       bytes(k.chunk_bytes), k.chunks_per_access, bytes(k.cache_needed),
                       fmt::format("{} ({:.0f}x)", bytes(k.decoded_total), k.read_amplification()),
                       k.rewritten_total ? bytes(k.rewritten_total) : "none", bytes(plan.total_bytes()));
  };
  out << fmt::format("  {:<12} {:<20} {:>10} {:>8} {:>12} {:>14} {:>14} {:>13}\n", "", "chunks", "chunk",
                     "per unit", "cache needed", "read all*", "HDF5 rewrite*", "h5dig memory");
  row(chunked ? "current" : "contiguous", current, now);
  row("recommended", rec, then);
  out << "  * in unit order with HDF5's default 1 MiB chunk cache; \"HDF5 rewrite\" is what writing unit by unit\n"
         "    through H5Dwrite re-reads and recompresses (the talk's trap); h5dig's ChunkWriter never rewrites.\n\n";

  // Why.
  out << fmt::format("chunks  {}: ", shape_str(rec));
  if (rec == unit) out << "one unit per chunk: each read decompresses exactly the data it needs.\n";
  else if (then.chunks_per_access == 1) out << "several units per chunk (units are small); read them in order with the cache below.\n";
  else out << fmt::format("a unit spans {} chunks of ~{}; chunks stay between 64 KiB and 4 MiB.\n",
                          then.chunks_per_access, bytes(then.chunk_bytes));
  std::uint64_t cache = std::max<std::uint64_t>(then.cache_needed, then.chunk_bytes);
  if (cache <= kDefaultCache) {
    out << "cache   HDF5's default (1 MiB) is enough.\n";
  } else {
    std::uint64_t slots = h5::next_prime(std::max<std::uint64_t>(521, 10 * ceil_div(cache, then.chunk_bytes)));
    out << fmt::format("cache   {} (rdcc_nbytes={}, rdcc_nslots={}; h5py: h5py.File(name, rdcc_nbytes={}, "
                       "rdcc_nslots={}))\n",
                       bytes(cache), cache, slots, cache, slots);
  }
  if (chunked) {
    auto trials = try_filters(ds, dims, rec, esize, type.type_class() == h5::TypeClass::floating);
    if (!trials.empty()) {
      const Trial* best_portable = nullptr;
      const Trial* fastest = nullptr;
      double best_ratio = 0;
      for (const auto& t : trials) best_ratio = std::max(best_ratio, t.ratio);
      for (const auto& t : trials) {
        if (t.filter.find("gzip") != std::string::npos && (!best_portable || t.ratio > best_portable->ratio))
          best_portable = &t;
        // Fast, but not at the price of the storage: within 25% of the best ratio.
        if (t.ratio >= 0.75 * best_ratio && (!fastest || t.mbps > fastest->mbps)) fastest = &t;
      }
      out << "filter  on a sample chunk of this data (one thread):";
      for (const auto& t : trials) out << fmt::format("  {} ratio {:.2f} at {:.0f} MB/s;", t.filter, t.ratio, t.mbps);
      out << "\n";
      if (best_portable)
        out << fmt::format("        {} for files anyone reads (HDF5's own filters, no plugin)", best_portable->filter);
      if (fastest && fastest != best_portable)
        out << fmt::format("; {} when speed matters (readers need its plugin)", fastest->filter);
      out << ".\n";
    }
  }
  // The cost of the current choice.
  if (chunked) {
    if (now.rewritten_total || now.read_amplification() > 1.5) {
      out << fmt::format("cost    current chunks: reading every unit decompresses {} ({:.0f}x the data)", bytes(now.decoded_total),
                         now.read_amplification());
      if (now.rewritten_total)
        out << fmt::format("; writing unit by unit through HDF5 rewrites {} ({:.0f}x) unless the cache holds {}",
                           bytes(now.rewritten_total), double(now.rewritten_total) / double(data_bytes),
                           bytes(now.cache_needed));
      out << ".\n";
    } else {
      out << "cost    the current chunks already suit this access.\n";
    }
  }
  if (current != rec || !chunked)
    out << fmt::format("apply   h5dig repack --chunks {} {} OUT.h5\n", fmt::join(rec, ","), object_path);
}

}  // namespace h5dig::lab

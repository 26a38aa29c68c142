#include "h5dig/lab/layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/create.hpp"
#include "h5dig/io/chunk_writer.hpp"
#include "h5dig/lab/make.hpp"
#include "h5dig/util/progress.hpp"

#include <unistd.h>

namespace h5dig::lab {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string duration(double s) {
  if (s >= 60) return fmt::format("{}m{:02.0f}s", int(s / 60), s - 60 * int(s / 60));
  return fmt::format("{:.2f} s", s);
}

// HDF5's own path, as the talk's h5py script: H5Dwrite of one frame at a time
// into a dataset with the deflate filter; HDF5 compresses (and, for the bad
// shape, reads back and recompresses) chunks through its cache.
LayoutRow hdf5_path(const std::filesystem::path& path, h5::Size n, std::vector<h5::Size> chunks, unsigned level,
                    std::size_t cache_bytes, std::uint64_t max_frames) {
  LayoutRow row;
  h5::init();
  auto t0 = Clock::now();
  h5::Size frames = std::min<h5::Size>(n, max_frames ? max_frames : n);
  {
    h5::File file = h5::File::create(path);
    h5::ChunkedCreate c;
    c.name = "data";
    c.file_type = h5::predefined(h5::Predefined::std_u16le);
    c.dims = {n, n, n};
    c.chunks = chunks;
    c.filters = {codec::FilterSpec{codec::kDeflateId, codec::kFlagOptional, {level}, "deflate"}};
    if (cache_bytes) {
      c.cache_bytes = cache_bytes;
      c.cache_slots = h5::next_prime(cache_bytes / (chunks[0] * chunks[1] * chunks[2] * 2) * 10 + 1);
    }
    h5::Dataset ds = h5::create_chunked_dataset(file.root(), c);
    std::vector<std::uint16_t> frame(n * n);
    h5::Dataspace fs = ds.space();
    std::vector<h5::Size> count = {1, n, n};
    h5::Dataspace ms = h5::Dataspace::simple(count);
    for (h5::Size j = 0; j < frames; ++j) {
      std::fill(frame.begin(), frame.end(), static_cast<std::uint16_t>(j));
      std::vector<h5::Size> start = {j, 0, 0};
      fs.select_hyperslab(start, count);
      ds.write(h5::predefined(h5::Predefined::native_uint16), ms.id(), fs.id(), frame.data());
    }
    if (frames == n) row.stored_bytes = ds.storage_size();
    file.close();  // flushes the cache: part of the cost
  }
  double s = since(t0);
  row.frames_timed = frames;
  row.extrapolated = frames < n;
  row.seconds = s * double(n) / double(frames);
  return row;
}

LayoutRow h5dig_path(const std::filesystem::path& path, h5::Size n, std::vector<h5::Size> chunks, unsigned level,
                     std::size_t threads) {
  LayoutRow row;
  StackOptions o;
  o.size = n;
  o.write.chunks = chunks;
  o.write.threads = threads;
  o.write.filters = codec::parse_filter_specs(fmt::format("gzip={}", level));
  std::ostringstream sink;
  auto t0 = Clock::now();
  run_make_stack(path, o, sink);
  row.seconds = since(t0);
  row.frames_timed = n;
  h5::File f = h5::File::open(path);
  row.stored_bytes = f.root().open_dataset("data").storage_size();
  return row;
}

}  // namespace

std::vector<LayoutRow> run_bench_layout(const LayoutOptions& options, std::ostream& out) {
  const h5::Size n = options.size;
  if (n < 2) throw_usage("--size must be at least 2");
  std::filesystem::path dir = options.dir.empty() ? std::filesystem::temp_directory_path() : options.dir;
  auto file = [&](const std::string& key) { return dir / fmt::format("h5dig-layout-{}-{}.h5", key, ::getpid()); };
  const std::vector<h5::Size> good = {1, n, n}, bad = {n, 1, n};
  const std::uint64_t chunk_bytes = n * n * 2;
  // Big enough for one frame's worth of bad-shape chunks (n chunks), with room.
  const std::size_t cache = static_cast<std::size_t>(n * chunk_bytes + chunk_bytes);
  auto wanted = [&](const std::string& key) {
    return options.only.empty() || std::find(options.only.begin(), options.only.end(), key) != options.only.end();
  };
  std::vector<LayoutRow> rows;
  auto run = [&](const std::string& key, auto&& fn) {
    if (!wanted(key)) return;
    if (util::stderr_is_terminal()) std::cerr << "bench layout: " << key << "...\r" << std::flush;
    std::filesystem::path p = file(key);
    try {
      LayoutRow r = fn(p);
      r.key = key;
      rows.push_back(r);
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
      throw;
    }
    std::error_code ec;
    std::filesystem::remove(p, ec);
  };
  auto shape = [](const std::vector<h5::Size>& c) { return fmt::format("{{{},{},{}}}", c[0], c[1], c[2]); };
  run("hdf5-good", [&](auto& p) {
    auto r = hdf5_path(p, n, good, options.level, 0, 0);
    r.label = "HDF5 H5Dwrite (as h5py)";
    r.chunks = shape(good);
    r.cache = "default 1 MiB";
    return r;
  });
  run("hdf5-bad", [&](auto& p) {
    auto r = hdf5_path(p, n, bad, options.level, 0, options.bad_frames);
    r.label = "HDF5 H5Dwrite (as h5py)";
    r.chunks = shape(bad);
    r.cache = "default 1 MiB";
    return r;
  });
  run("hdf5-bad-cache", [&](auto& p) {
    auto r = hdf5_path(p, n, bad, options.level, cache, 0);
    r.label = "HDF5 H5Dwrite (as h5py)";
    r.chunks = shape(bad);
    r.cache = util::format_bytes(double(cache));
    return r;
  });
  run("h5dig-good", [&](auto& p) {
    auto r = h5dig_path(p, n, good, options.level, options.threads);
    r.label = "h5dig ChunkWriter";
    r.chunks = shape(good);
    r.cache = "-";
    return r;
  });
  run("h5dig-bad", [&](auto& p) {
    auto r = h5dig_path(p, n, bad, options.level, options.threads);
    r.label = "h5dig ChunkWriter";
    r.chunks = shape(bad);
    r.cache = fmt::format("holds {} chunks", n);
    return r;
  });
  if (util::stderr_is_terminal()) std::cerr << "\33[2K";

  double base = 0;
  for (auto& r : rows)
    if (r.key == "hdf5-good") base = r.seconds;
  // The talk's own figures (h5py on the author's laptop), where it gave them.
  auto talk = [&](const std::string& key) -> std::string {
    if (n != 512) return "";
    if (key == "hdf5-good") return "1.45 s";
    if (key == "hdf5-bad") return "11m20s";
    return "";
  };
  if (options.markdown) {
    out << "| writer | chunks | chunk cache | time | vs HDF5 good shape | allocated bytes | the talk |\n"
           "|---|---|---|---:|---:|---:|---:|\n";
  } else {
    out << fmt::format("stack {{{0},{0},{0}}} uint16, frame j = j, deflate level {1}, written frame by frame\n\n", n,
                       options.level);
    out << fmt::format("{:<26} {:<14} {:<18} {:>16} {:>10} {:>16} {:>9}\n", "writer", "chunks", "chunk cache", "time",
                       "vs good", "allocated bytes", "the talk");
  }
  for (const auto& r : rows) {
    std::string t = duration(r.seconds) + (r.extrapolated ? "*" : "");
    std::string ratio = base > 0 ? fmt::format("{:.2f}x", r.seconds / base) : "";
    std::string stored = r.stored_bytes ? fmt::format("{}", r.stored_bytes) : "-";
    if (options.markdown)
      out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", r.label, r.chunks, r.cache, t, ratio, stored,
                         talk(r.key));
    else
      out << fmt::format("{:<26} {:<14} {:<18} {:>16} {:>10} {:>16} {:>9}\n", r.label, r.chunks, r.cache, t, ratio,
                         stored, talk(r.key));
  }
  for (const auto& r : rows)
    if (r.extrapolated)
      out << (options.markdown ? "\n\\" : "\n")
          << fmt::format("* stopped after {} of {} frames and extrapolated linearly ({:.2f} s per frame): every "
                         "frame reads back, decompresses, patches and recompresses all {} chunks.\n",
                         r.frames_timed, n, r.seconds / double(n), n);
  return rows;
}

}  // namespace h5dig::lab

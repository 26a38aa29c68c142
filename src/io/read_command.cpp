#include "h5dig/io/read_command.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>

#include "h5dig/error.hpp"
#include "h5dig/exec/background.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/io/output_memory.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/util/progress.hpp"
#include "value_read.hpp"

namespace h5dig::io {

std::string npy_header(const std::string& descr, std::span<const std::uint64_t> shape) {
  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) dims += fmt::format("{}{}", i ? ", " : "", shape[i]);
  if (shape.size() == 1) dims += ",";
  // A structured descr is a list literal; a type string is quoted.
  const std::string quoted = !descr.empty() && descr.front() == '[' ? descr : "'" + descr + "'";
  std::string dict = fmt::format("{{'descr': {}, 'fortran_order': False, 'shape': ({}), }}", quoted, dims);
  // magic(6) + version(2) + length(2) + dict + padding + '\n', a multiple of 64
  std::size_t total = 10 + dict.size() + 1;
  std::size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  // Version 1.0 (a latin-1 header with a 2-byte length) unless a field name
  // needs UTF-8 or the header is longer than 64 KiB: version 3.0 (UTF-8,
  // 4-byte length), as numpy.save does.
  const bool ascii = std::all_of(dict.begin(), dict.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii && dict.size() + 10 <= 0xffff) {
    std::string header("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(dict.size());
    header += static_cast<char>(len & 0xff);
    header += static_cast<char>(len >> 8);
    return header + dict;
  }
  // Re-pad for the 12-byte preamble.
  while (!dict.empty() && (dict.back() == '\n' || dict.back() == ' ')) dict.pop_back();
  const std::size_t total3 = 12 + dict.size() + 1;
  dict.append((total3 + 63) / 64 * 64 - total3, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x03\x00", 8);
  const auto len = static_cast<std::uint32_t>(dict.size());
  for (int i = 0; i < 4; ++i) header += static_cast<char>((len >> (8 * i)) & 0xff);
  return header + dict;
}

namespace {


// Reads `sel` into `out` slab by slab along the first dimension: each slab is
// decoded into one of two reused buffers of about `slab_bytes` while the
// other is written to the file on a second thread, so memory stays bounded
// and the buffers' pages are faulted in once, not once per slab. Slabs follow
// the chunk grid (whole chunk rows), so no chunk is decoded twice; a slab is
// one chunk row when that row is larger than `slab_bytes`.
// The seconds returned are the whole read and write, --verify excluded.
// The data goes at `data_offset` of `out` and after.
ReadStats read_to_file(ParallelReader& reader, const Selection& sel, util::AtomicOutput& out,
                       std::uint64_t data_offset, const ReadOptions& ro, bool verify, std::uint64_t slab_bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  double verifying = 0;
  auto check = [&](const Selection& part, std::span<const std::byte> got) {
    if (!verify) return;
    const auto v0 = std::chrono::steady_clock::now();
    verify_selection(reader, part, got);
    verifying += std::chrono::duration<double>(std::chrono::steady_clock::now() - v0).count();
  };
  // The output holds h5py's values (fixed strings as h5py shows them), after
  // --verify, which compares the stored bytes.
  auto as_h5py = [&](std::span<std::byte> buf) { reader.element_type().as_h5py(buf); };
  auto finish = [&](ReadStats all) {
    all.bytes = reader.output_bytes(sel);
    all.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - verifying;
    return all;
  };
  const std::uint64_t total = reader.output_bytes(sel);
  ReadStats all;
  auto add = [&](const ReadStats& s) {
    all.stored_bytes += s.stored_bytes;
    all.chunks += s.chunks;
    all.chunks_filled += s.chunks_filled;
    all.threads = s.threads;
    all.method = s.method;
  };
  if (sel.rank() == 0 || total <= slab_bytes) {
    OutputMemory buffer(total);
    add(reader.read(sel, buffer.data(), ro));
    check(sel, buffer.data());
    as_h5py(buffer.data());
    out.write_at(data_offset, buffer.data());
    return finish(all);
  }
  const std::uint64_t row_bytes = total / sel.count[0];
  const std::vector<std::uint64_t>& chunks = reader.chunk_shape();
  const std::uint64_t step = chunks.empty() ? 1 : chunks[0];
  const std::uint64_t rows = std::max<std::uint64_t>(1, slab_bytes / std::max<std::uint64_t>(1, row_bytes) / step) * step;
  const std::uint64_t capacity = std::min(total, rows * row_bytes);
  OutputMemory buffers[2] = {OutputMemory(capacity), OutputMemory(capacity)};
  exec::BackgroundTask writing;  // the previous slab's write, overlapping the next slab's read
  const std::uint64_t end = sel.start[0] + sel.count[0];
  std::ostringstream repeated_notes;  // a fallback note is printed for the first slab only
  ReadOptions later = ro;
  later.notes = &repeated_notes;
  std::size_t which = 0;
  for (std::uint64_t lo = sel.start[0]; lo < end; which ^= 1) {
    const std::uint64_t hi = std::min(end, lo / step * step + rows);
    Selection slab = sel;
    slab.start[0] = lo;
    slab.count[0] = hi - lo;
    std::span<std::byte> buf = buffers[which].data().first((hi - lo) * row_bytes);
    add(reader.read(slab, buf, lo == sel.start[0] ? ro : later));
    check(slab, buf);
    as_h5py(buf);
    writing.join();  // rethrows a write error
    writing = exec::BackgroundTask(
        [&out, buf, at = data_offset + (lo - sel.start[0]) * row_bytes] { out.write_at(at, buf); });
    lo = hi;
  }
  writing.join();
  return finish(all);
}

bool ends_with_npy(const std::string& s) {
  if (s.size() < 4) return false;
  std::string tail = s.substr(s.size() - 4);
  std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
  return tail == ".npy";
}

}  // namespace

std::uint64_t begin_output(util::AtomicOutput& out, const std::string& header, std::uint64_t data_bytes) {
  out.reserve(header.size() + data_bytes);
  out.write_at(0, std::as_bytes(std::span(header)));
  return header.size();
}

void verify_selection(ParallelReader& reader, const Selection& sel, std::span<const std::byte> got) {
  const std::size_t es = reader.element_type().size;
  // HDF5 may fail where h5dig did not: a filter only h5dig decodes here (LZO
  // outside PyTables). Name the dataset in that line too.
  auto read_hdf5 = [&](const Selection& s, std::span<std::byte> out) {
    try {
      reader.read_hdf5(s, out);
    } catch (const Error& e) {
      throw e.with_context(reader.where() + ": verify");
    }
  };
  if (sel.rank() == 0) {
    std::vector<std::byte> ref(got.size());
    read_hdf5(sel, ref);
    if (!std::equal(ref.begin(), ref.end(), got.begin())) {
      throw Error(ErrorKind::verify, fmt::format("{}: verify: h5dig's read differs from H5Dread", reader.where()));
    }
    return;
  }
  std::uint64_t row_bytes = es;
  for (std::size_t d = 1; d < sel.rank(); ++d) row_bytes *= sel.count[d];
  const std::uint64_t rows_per_slab = std::max<std::uint64_t>(1, (64u << 20) / std::max<std::uint64_t>(1, row_bytes));
  std::vector<std::byte> ref;
  for (std::uint64_t r = 0; r < sel.count[0]; r += rows_per_slab) {
    Selection slab = sel;
    slab.start[0] = sel.start[0] + r;
    slab.count[0] = std::min(rows_per_slab, sel.count[0] - r);
    ref.resize(slab.count[0] * row_bytes);
    read_hdf5(slab, ref);
    auto mine = got.subspan(r * row_bytes, ref.size());
    auto [a, b] = std::mismatch(ref.begin(), ref.end(), mine.begin());
    if (a != ref.end()) {
      std::uint64_t element = (r * row_bytes + static_cast<std::uint64_t>(a - ref.begin())) / es;
      // element index in the selection -> coordinates in the dataset
      std::vector<std::uint64_t> coords(sel.rank());
      std::uint64_t rest = element;
      for (std::size_t d = sel.rank(); d-- > 0;) {
        coords[d] = sel.start[d] + rest % sel.count[d];
        rest /= sel.count[d];
      }
      std::string at;
      for (std::size_t d = 0; d < coords.size(); ++d) at += fmt::format("{}{}", d ? "," : "", coords[d]);
      throw Error(ErrorKind::verify,
                  fmt::format("{}: verify: h5dig's read differs from H5Dread at element ({})", reader.where(), at));
    }
  }
}

namespace {

std::string rate(std::uint64_t bytes, double seconds) {
  return seconds > 0 ? util::format_bytes(static_cast<double>(bytes) / seconds) + "/s" : "-";
}

}  // namespace

void run_read(const ReadCommandOptions& options, std::ostream& report) {
  ObjectPath path = split_object_path(options.object);
  if (path.object.empty()) throw_usage(fmt::format("{}: name a dataset: FILE/DATASET", options.object));
  if (reads_values(path.file, path.object, options.output)) {
    // Variable-length data (heap references on disk), or JSON output: values
    // through H5Dread in bounded batches (value_read.hpp).
    run_value_read(options, report);
    return;
  }
  ParallelReader reader(path.file, path.object);
  Selection sel;
  try {
    sel = parse_selection(options.select, reader.shape());
  } catch (const Error& e) {
    throw e.with_context(reader.where());
  }
  const std::uint64_t bytes = reader.output_bytes(sel);
  ReadOptions ro;
  ro.threads = options.threads;
  ro.raw_source = options.raw_source;
  std::optional<util::Progress> progress;
  if (options.progress) {
    progress.emplace("read", bytes);
    ro.progress = &*progress;
  }

  ReadStats stats;
  if (options.output.empty()) {
    OutputMemory buffer(bytes);
    stats = reader.read(sel, buffer.data(), ro);
    if (progress) progress->finish();
    if (options.verify) verify_selection(reader, sel, buffer.data());
  } else {
    std::string header;
    if (ends_with_npy(options.output)) {
      std::vector<std::uint64_t> shape = sel.count;
      if (shape.empty() && bytes == 0) shape = {0};  // a null dataspace: no elements, not a scalar
      // h5py reads an array element type as trailing dimensions.
      const auto& sub = reader.element_type().npy_subshape;
      shape.insert(shape.end(), sub.begin(), sub.end());
      header = npy_header(reader.element_type().npy_descr, shape);
    }
    util::AtomicOutput out(options.output, util::AtomicOutput::Access::in_place);
    const std::uint64_t data_offset = begin_output(out, header, bytes);
    stats = read_to_file(reader, sel, out, data_offset, ro, options.verify, options.slab_bytes);
    if (progress) progress->finish();
    out.commit();
  }
  progress.reset();
  std::string chunks;
  if (stats.chunks + stats.chunks_filled > 0) {
    chunks = fmt::format(", {} chunk{}", stats.chunks, stats.chunks == 1 ? "" : "s");
    if (stats.chunks_filled) chunks += fmt::format(" + {} unallocated (fill value)", stats.chunks_filled);
  }
  report << fmt::format("read {} ({} bytes{}) in {:.3f} s: {}, {} thread{}, {}{}\n", util::format_bytes(bytes),
                        stats.bytes, chunks, stats.seconds, rate(bytes, stats.seconds), stats.threads,
                        stats.threads == 1 ? "" : "s", stats.method,
                        options.verify ? "; verified: identical to H5Dread" : "");
}

void run_bench_read(const BenchReadOptions& options, std::ostream& out) {
  ObjectPath path = split_object_path(options.object);
  if (path.object.empty()) throw_usage(fmt::format("{}: name a dataset: FILE/DATASET", options.object));
  ParallelReader reader(path.file, path.object);
  const Selection sel = whole(reader.shape());
  const std::uint64_t bytes = reader.output_bytes(sel);
  const std::size_t max_threads = exec::resolved_threads(options.max_threads);
  const std::size_t repeat = std::max<std::size_t>(1, options.repeat);

  struct Sample {
    double wall = 0, cpu = 0;
  };
  struct Row {
    std::string what;
    std::size_t threads;
    Sample time;  // medians
    std::uint64_t bytes;
  };
  auto cpu_now = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  // fn() returns the seconds to count (nullopt: its own wall time).
  auto timed = [&](auto&& fn) {
    std::vector<double> wall, cpu;
    for (std::size_t i = 0; i < repeat; ++i) {
      const double c0 = cpu_now();
      const auto t0 = std::chrono::steady_clock::now();
      std::optional<double> own = fn();
      wall.push_back(own ? *own : std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      cpu.push_back(cpu_now() - c0);
    }
    return Sample{median(wall), median(cpu)};
  };

  {  // warm-up: puts the file in the page cache for every row alike
    OutputMemory warm(bytes);
    reader.read(sel, warm.data(), {.threads = max_threads});
  }
  std::vector<Row> rows;
  // Every row but one allocates its output afresh, as a caller of d[...] does:
  // its first-touch page faults are part of the cost.
  // Each row times the read call alone: not the buffer's munmap afterwards.
  rows.push_back({"H5Dread (HDF5's filters, one thread)", 1, timed([&]() -> std::optional<double> {
                    OutputMemory b(bytes);
                    const auto t0 = std::chrono::steady_clock::now();
                    reader.read_hdf5(sel, b.data());
                    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                  }),
                  bytes});
  for (std::size_t t = 1; t <= max_threads; ++t) {
    rows.push_back({"h5dig read", t, timed([&]() -> std::optional<double> {
                      OutputMemory b(bytes);
                      return reader.read(sel, b.data(), {.threads = t}).seconds;
                    }),
                    bytes});
  }
  const std::size_t fresh_row = rows.size() - 1;
  {
    OutputMemory reused(bytes);
    reader.read(sel, reused.data(), {.threads = max_threads});  // fault every page in once
    rows.push_back({"h5dig read into a reused buffer (a library loop)", max_threads,
                    timed([&]() -> std::optional<double> {
                      return reader.read(sel, reused.data(), {.threads = max_threads}).seconds;
                    }),
                    bytes});
  }
  // The decode kernel, three ways. Into a fresh output and into a reused one
  // it does a read's memory work without its I/O: the like-for-like limits of
  // the two rows above. Into a per-thread scratch buffer nothing decoded ever
  // leaves the cache: the bare decoder speed, which no read producing its
  // output in memory can reach.
  std::optional<std::size_t> kernel_row;
  try {
    const std::uint64_t kbytes = reader.kernel_output_bytes();
    auto kernel = [&](std::string what, auto&& make_out) {
      KernelStats k;
      Sample s = timed([&]() -> std::optional<double> {
        k = reader.decode_kernel(max_threads, make_out());
        return k.seconds;
      });
      s.cpu = 0;  // includes the untimed pre-read: not comparable
      rows.push_back({std::move(what), max_threads, s, k.decoded_bytes});
    };
    std::optional<OutputMemory> fresh;
    kernel("decode kernel alone, chunks pre-read: into a fresh output buffer", [&] {
      fresh.reset();
      fresh.emplace(kbytes);
      return fresh->data();
    });
    kernel_row = rows.size() - 1;
    fresh.reset();
    OutputMemory reused(kbytes);
    (void)reader.decode_kernel(max_threads, reused.data());  // fault every page in once
    kernel("decode kernel alone: into a reused output buffer", [&] { return reused.data(); });
    kernel("decode kernel alone: into a per-thread scratch buffer (stays in cache)",
           [] { return std::span<std::byte>{}; });
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::usage) throw;
  }

  const double h5 = rows[0].time.wall;
  out << fmt::format("`h5dig bench read {}`: {}, {}, median of {}\n\n", options.object, reader.describe(),
                     util::format_bytes(bytes), repeat);
  out << "| method | threads | seconds | CPU seconds | throughput | vs H5Dread |\n";
  out << "|---|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    out << fmt::format("| {} | {} | {:.3f} | {} | {} | {:.2f}x |\n", r.what, r.threads, r.time.wall,
                       r.time.cpu > 0 ? fmt::format("{:.3f}", r.time.cpu) : "-", rate(r.bytes, r.time.wall),
                       (static_cast<double>(r.bytes) / r.time.wall) / (static_cast<double>(bytes) / h5));
  }
  if (kernel_row) {
    auto throughput = [](const Row& r) { return static_cast<double>(r.bytes) / r.time.wall; };
    auto pct = [&](std::size_t read_row, std::size_t k_row) {
      return 100.0 * throughput(rows[read_row]) / throughput(rows[k_row]);
    };
    const std::size_t k_fresh = *kernel_row, k_reused = k_fresh + 1, k_cache = k_fresh + 2;
    out << fmt::format(
        "\nh5dig read at {} threads against the decode kernel writing the same output: {:.0f}% into a fresh buffer, "
        "{:.0f}% into a reused one. Against the kernel into a cache-resident scratch buffer: {:.0f}% and {:.0f}%.\n",
        max_threads, pct(fresh_row, k_fresh), pct(fresh_row + 1, k_reused), pct(fresh_row, k_cache),
        pct(fresh_row + 1, k_cache));
  }
}

}  // namespace h5dig::io

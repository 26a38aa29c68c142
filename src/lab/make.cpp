#include "h5dig/lab/make.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "h5dig/error.hpp"
#include "h5dig/io/chunk_writer.hpp"
#include "h5dig/util/atomic_output.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::lab {

std::vector<h5::Size> parse_shape(const std::string& text, const std::string& what) {
  std::vector<h5::Size> out;
  std::string_view s = text;
  while (true) {
    auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    h5::Size v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc{} || p != item.data() + item.size() || v == 0)
      throw_usage(fmt::format("{} '{}': expected positive integers separated by commas, e.g. 1,512,512", what, text));
    out.push_back(v);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** — fast, good enough for synthetic detector counts.
struct Rng {
  std::uint64_t s[4];
  explicit Rng(std::uint64_t seed) {
    for (auto& v : s) v = splitmix64(seed);
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    std::uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
};

void check_chunks(const std::vector<h5::Size>& chunks, const std::vector<h5::Size>& shape, bool first_unlimited) {
  if (chunks.size() != shape.size())
    throw_usage(fmt::format("--chunks {} has {} dimensions; the dataset {} has {}", fmt::join(chunks, ","),
                            chunks.size(), fmt::join(shape, ","), shape.size()));
  for (std::size_t d = first_unlimited ? 1 : 0; d < shape.size(); ++d)
    if (chunks[d] > shape[d])
      throw_usage(fmt::format("--chunks {} is larger than the dataset {} along dimension {}", fmt::join(chunks, ","),
                              fmt::join(shape, ","), d));
}

void summary(std::ostream& out, const std::filesystem::path& path, const std::vector<h5::Size>& chunks,
             const io::ChunkWriter& w, const io::WriteSession& s,
             std::uint64_t logical, double seconds, const codec::ParsedFilters& f) {
  out << fmt::format("{}/data: {{{}}} uint16, chunks {{{}}}, filter {}: {} written as {} in {} chunks, {:.2f} s "
                     "({}/s, {} threads)\n",
                     path.string(), fmt::join(w.extent(), ", "), fmt::join(chunks, ", "),
                     codec::format_filter_specs(f.filters, f.deflate), util::format_bytes(double(logical)),
                     util::format_bytes(double(s.bytes_written())), s.chunks_written(), seconds,
                     util::format_bytes(logical / std::max(seconds, 1e-9)), s.threads());
}

}  // namespace

void poisson_frame(std::uint64_t seed, std::uint64_t index, double mean, std::uint16_t* out, std::size_t n) {
  std::uint64_t mix = seed * 0x9e3779b97f4a7c15ULL + index;
  Rng rng(splitmix64(mix));
  // Inverse CDF on 32-bit uniforms with a cumulative table: a few comparisons a
  // pixel for detector-like means, exact to 2^-32.
  std::vector<std::uint64_t> cdf;
  double p = std::exp(-mean), c = 0;
  for (unsigned k = 0; k < 65535; ++k) {
    c += p;
    std::uint64_t t = c >= 1.0 ? (std::uint64_t{1} << 32) : static_cast<std::uint64_t>(c * 4294967296.0);
    cdf.push_back(t);
    if (t >= (std::uint64_t{1} << 32) || (k > mean && p < 1e-12)) break;
    p *= mean / (k + 1);
  }
  cdf.back() = std::uint64_t{1} << 32;
  for (std::size_t i = 0; i < n; i += 2) {
    std::uint64_t r = rng.next();
    std::uint64_t u[2] = {r & 0xffffffffu, r >> 32};
    for (int h = 0; h < 2 && i + h < n; ++h) {
      std::size_t k = 0;
      if (cdf.size() <= 16) {
        while (u[h] >= cdf[k]) ++k;
      } else {
        k = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), u[h]) - cdf.begin());
      }
      out[i + h] = static_cast<std::uint16_t>(std::min<std::size_t>(k, 65535));
    }
  }
}

namespace {

io::WriteOptions write_options(const WriteSettings& s, std::vector<h5::Size> block) {
  io::WriteOptions o;
  o.block_shape = std::move(block);
  if (s.memory_limit) o.memory_limit = s.memory_limit;
  return o;
}

}  // namespace

void run_make_stack(const std::filesystem::path& path, const StackOptions& options, std::ostream& out) {
  const h5::Size n = options.size;
  std::vector<h5::Size> shape = {n, n, n};
  std::vector<h5::Size> chunks = options.write.chunks.empty() ? std::vector<h5::Size>{1, n, n} : options.write.chunks;
  check_chunks(chunks, shape, false);
  codec::ParsedFilters filters = options.write.filters;
  auto t0 = std::chrono::steady_clock::now();
  util::AtomicOutput output(path);
  {
    h5::File file = h5::File::create(output.temp_path());
    io::WriteSession session({.threads = options.write.threads});
    io::DatasetSpec spec{.name = "data", .type = h5::predefined(h5::Predefined::std_u16le), .shape = shape, .maxshape = {}, .chunks = chunks,
                         .filters = filters.filters, .deflate = filters.deflate, .fill_value = {}};
    auto writer = io::ChunkWriter::create(session, file.root(), spec, write_options(options.write, {1, n, n}));
    std::vector<std::uint16_t> frame(n * n);
    util::Progress progress("make stack", n, "frames");
    for (h5::Size j = 0; j < n; ++j) {
      std::fill(frame.begin(), frame.end(), static_cast<std::uint16_t>(j));
      std::vector<h5::Size> off = {j, 0, 0}, blk = {1, n, n};
      writer.write(off, blk, std::as_bytes(std::span(frame)));
      progress.advance(1);
    }
    writer.finish();
    session.flush();
    progress.finish();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary(out, path, chunks, writer, session, n * n * n * 2, secs, filters);
    file.close();
  }
  output.commit();
}

void run_make_frames(const std::filesystem::path& path, const FramesOptions& options, std::ostream& out) {
  if (options.shape.size() != 2) throw_usage("--shape takes two numbers: rows,columns");
  if (options.frames == 0) throw_usage("--frames must be at least 1");
  if (!(options.mean >= 0) || options.mean > 10000) throw_usage("--mean must be between 0 and 10000");
  const h5::Size h = options.shape[0], w = options.shape[1];
  std::vector<h5::Size> shape = {options.frames, h, w};
  std::vector<h5::Size> chunks =
      options.write.chunks.empty() ? std::vector<h5::Size>{1, h, w} : options.write.chunks;
  check_chunks(chunks, shape, true);
  codec::ParsedFilters filters = options.write.filters;
  auto t0 = std::chrono::steady_clock::now();
  util::AtomicOutput output(path);
  {
    h5::File file = h5::File::create(output.temp_path());
    io::WriteSession session({.threads = options.write.threads});
    io::DatasetSpec spec{.name = "data", .type = h5::predefined(h5::Predefined::std_u16le), .shape = {0, h, w},
                         .maxshape = {h5::kUnlimited, h, w}, .chunks = chunks, .filters = filters.filters,
                         .deflate = filters.deflate, .fill_value = {}};
    io::WriteOptions wo = write_options(options.write, {1, h, w});
    // The frame count is known: plan with it, not with the empty initial extent.
    {
      auto plan = io::plan_memory(shape, chunks, wo.block_shape, 2, session.max_in_flight());
      if (plan.total_bytes() > wo.memory_limit)
        throw_usage(fmt::format("writing frames into chunks {{{}}} needs {} at once ({}), over the {} limit; "
                                "raise it with --memory-limit or choose chunks {{1,...}}",
                                fmt::join(chunks, ","), util::format_bytes(double(plan.total_bytes())),
                                plan.describe(), util::format_bytes(double(wo.memory_limit))));
    }
    auto writer = io::ChunkWriter::create(session, file.root(), spec, wo);
    std::vector<std::uint16_t> frame(h * w);
    util::Progress progress("make frames", options.frames, "frames");
    std::vector<h5::Size> blk = {1, h, w};
    for (h5::Size j = 0; j < options.frames; ++j) {
      poisson_frame(options.seed, j, options.mean, frame.data(), frame.size());
      writer.append(blk, std::as_bytes(std::span(frame)));
      progress.advance(1);
    }
    writer.finish();
    session.flush();
    progress.finish();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary(out, path, chunks, writer, session, options.frames * h * w * 2, secs, filters);
    file.close();
  }
  output.commit();
}

}  // namespace h5dig::lab

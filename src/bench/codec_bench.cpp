#include "h5dig/bench/codec_bench.hpp"

#include <fmt/format.h>
#include <libdeflate.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <functional>
#include <random>

#include "codec/codec.hpp"
#include "codec/deflate_encoder.hpp"
#include "codec/simd.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/codec_bench_io.hpp"

namespace h5dig::bench {

namespace {

using Clock = std::chrono::steady_clock;
using codec::FilterSpec;
using Bytes = std::vector<std::byte>;

FilterSpec spec(unsigned id, std::vector<unsigned> cd, unsigned flags = 0) {
  FilterSpec s;
  s.id = id;
  s.flags = flags;
  s.cd_values = std::move(cd);
  s.name = codec::filter_name(id);
  return s;
}

struct Dataset {
  std::string name;
  std::size_t element_size;
  std::size_t chunk_bytes;
  Bytes data;
};

Dataset detector_frames(const CodecBenchOptions& o) {
  Dataset d{"detector", 2, o.frame_side * o.frame_side * 2, {}};
  const std::size_t n = o.frames * o.frame_side * o.frame_side;
  d.data.resize(n * 2);
  std::mt19937 rng(42);
  std::poisson_distribution<unsigned> poisson(0.5);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned v = poisson(rng);
    d.data[2 * i] = std::byte(v & 0xff);
    d.data[2 * i + 1] = std::byte(v >> 8);
  }
  return d;
}

// Real English text: the copyright files of the installed Debian packages, in
// name order (falls back to generated text on a bare system).
Dataset text(const CodecBenchOptions& o) {
  Dataset d{"text", 1, std::size_t(1) << 20, {}};
  const std::size_t want = o.text_mib << 20;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/share/doc", ec)) {
    auto p = e.path() / "copyright";
    if (std::filesystem::is_regular_file(p, ec)) files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  std::string s;
  for (const auto& f : files) {
    if (s.size() >= want) break;
    std::ifstream in(f, std::ios::binary);
    s.append(std::istreambuf_iterator<char>(in), {});
  }
  static const char* words[] = {"the ", "beam ", "detector ", "frame ", "of ", "HDF5 ", "chunk ", "data ", "\n"};
  std::mt19937 rng(7);
  while (s.size() < want) s += words[rng() % 9];
  s.resize(want);
  d.data.resize(want);
  std::memcpy(d.data.data(), s.data(), want);
  return d;
}

// A reference codec: encode/decode one chunk with the peer library.
struct Reference {
  std::string name;
  std::function<std::size_t(const std::byte*, std::size_t, Bytes&)> encode;       // returns stored size
  std::function<void(const Bytes&, std::size_t, std::byte*, std::size_t)> decode;  // stored, size, out, out size
};

// HDF5's shuffle as H5Z_filter_shuffle does it (byte by byte), for the zlib reference.
void hdf5_style_shuffle(const std::byte* in, std::byte* out, std::size_t nbytes, std::size_t es, bool forward) {
  const std::size_t n = nbytes / es;
  for (std::size_t j = 0; j < es; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      if (forward)
        out[j * n + i] = in[i * es + j];
      else
        out[i * es + j] = in[j * n + i];
    }
  std::memcpy(out + n * es, in + n * es, nbytes - n * es);
}

Reference zlib_reference(int level, std::size_t shuffle_es) {
  auto tmp = std::make_shared<Bytes>();
  Reference r;
  r.name = shuffle_es ? "zlib+shuffle" : "zlib";
  r.encode = [=](const std::byte* in, std::size_t n, Bytes& out) {
    const std::byte* src = in;
    if (shuffle_es) {
      tmp->resize(n);
      hdf5_style_shuffle(in, tmp->data(), n, shuffle_es, true);
      src = tmp->data();
    }
    uLongf len = compressBound(n);
    out.resize(len);
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &len, reinterpret_cast<const Bytef*>(src), n, level) != Z_OK)
      throw Error(ErrorKind::io, "zlib compress2 failed");
    out.resize(len);
    return static_cast<std::size_t>(len);
  };
  r.decode = [=](const Bytes& stored, std::size_t, std::byte* out, std::size_t n) {
    std::byte* dst = out;
    if (shuffle_es) {
      tmp->resize(n);
      dst = tmp->data();
    }
    uLongf len = n;
    if (uncompress(reinterpret_cast<Bytef*>(dst), &len, reinterpret_cast<const Bytef*>(stored.data()), stored.size()) !=
            Z_OK ||
        len != n)
      throw Error(ErrorKind::corrupt, "zlib uncompress failed");
    if (shuffle_es) hdf5_style_shuffle(dst, out, n, shuffle_es, false);
  };
  return r;
}

Reference zstd_reference(int level) {
  Reference r;
  r.name = "libzstd";
  r.encode = [=](const std::byte* in, std::size_t n, Bytes& out) {
    out.resize(ZSTD_compressBound(n));
    std::size_t c = ZSTD_compress(out.data(), out.size(), in, n, level);
    if (ZSTD_isError(c)) throw Error(ErrorKind::io, "ZSTD_compress failed");
    out.resize(c);
    return c;
  };
  r.decode = [](const Bytes& stored, std::size_t, std::byte* out, std::size_t n) {
    std::size_t d = ZSTD_decompress(out, n, stored.data(), stored.size());
    if (ZSTD_isError(d) || d != n) throw Error(ErrorKind::corrupt, "ZSTD_decompress failed");
  };
  return r;
}

struct Case {
  std::string name;     // as on the command line
  std::string label;    // as in the table
  std::vector<FilterSpec> filters;
  std::vector<std::string> datasets;
  std::function<Reference()> reference;  // null: HDF5 is the reference
  bool hdf5_too = true;                  // also time HDF5's filter/plugin
};

std::vector<Case> cases() {
  const unsigned opt = codec::kFlagOptional;
  return {
      {"deflate", "gzip=4", {spec(codec::kDeflateId, {4}, opt)}, {"detector", "text"}, [] { return zlib_reference(4, 0); }},
      {"shuffle-deflate", "shuffle,gzip=4", {spec(codec::kShuffleId, {2}, opt), spec(codec::kDeflateId, {4}, opt)},
       {"detector"}, [] { return zlib_reference(4, 2); }},
      {"lz4", "lz4", {spec(codec::kLz4Id, {0})}, {"detector", "text"}, nullptr},
      {"bitshuffle-lz4", "bslz4", {spec(codec::kBitshuffleId, {0, 3, 2, 0, 2})}, {"detector"}, nullptr},
      {"zstd", "zstd=3", {spec(codec::kZstdId, {3})}, {"detector", "text"}, [] { return zstd_reference(3); }, false},
      {"bitshuffle-zstd", "bitshuffle+zstd=3", {spec(codec::kBitshuffleId, {0, 4, 2, 0, 3, 3})}, {"detector"}, nullptr, false},
      {"blosc-lz4", "blosc lz4 shuffle", {spec(codec::kBloscId, {2, 2, 2, 0, 5, 1, 1})}, {"detector", "text"}, nullptr},
      {"fletcher32", "fletcher32", {spec(codec::kFletcher32Id, {})}, {"detector"}, nullptr},
      // The filters of other writers, against HDF5's built-in szip (libaec) and
      // the Debian plugins (LZF from the bitshuffle package, bzip2 from
      // hdf5-filter-plugin). PyTables' LZO has no HDF5 path outside PyTables.
      {"szip", "szip=nn:8", {spec(codec::kSzipId, {169, 8, 0, 0}, opt)}, {"detector", "text"}, nullptr},
      {"lzf", "lzf", {spec(codec::kLzfId, {4, 261, 0}, opt)}, {"detector", "text"}, nullptr},
      {"bzip2", "bzip2=9", {spec(codec::kBzip2Id, {9}, opt)}, {"detector", "text"}, nullptr},
  };
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <class F>
double seconds_of(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

template <class F>
double time_median(int repeat, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < repeat; ++i) t.push_back(seconds_of(f));
  return median(t);
}

struct PairedTimes {
  double our_encode = 0, their_encode = 0, our_decode = 0, their_decode = 0;  // medians, seconds
  double encode_speedup = 0, decode_speedup = 0;  // medians of the per-pair ratios theirs / ours
};

// Encodes, then decodes, alternating h5dig and the reference run by run (A B A
// B: `repeat` pairs); the speed-ups are the medians of the per-pair ratios, so
// that the shared machine slowing down or speeding up moves both halves of a
// pair alike. The encode functions run first so that the decoders read what
// they just wrote.
template <class A, class B, class C, class D>
PairedTimes time_paired(int repeat, A&& our_encode, B&& their_encode, C&& our_decode, D&& their_decode) {
  std::vector<double> oe, te, od, td, er, dr;
  for (int i = 0; i < repeat; ++i) {
    oe.push_back(seconds_of(our_encode));
    te.push_back(seconds_of(their_encode));
    er.push_back(te.back() / oe.back());
  }
  for (int i = 0; i < repeat; ++i) {
    od.push_back(seconds_of(our_decode));
    td.push_back(seconds_of(their_decode));
    dr.push_back(td.back() / od.back());
  }
  return {median(oe), median(te), median(od), median(td), median(er), median(dr)};
}

std::string mbs(std::size_t bytes, double seconds) {
  if (seconds <= 0) return "-";
  return fmt::format("{:.0f}", bytes / 1e6 / seconds);
}
std::string ratio(double a, double b) {
  if (a <= 0 || b <= 0) return "-";
  return fmt::format("{:.2f}x", a / b);
}
std::string speedup(double r) { return r > 0 ? fmt::format("{:.2f}x", r) : "-"; }

struct TempWorkdir {
  std::filesystem::path path;
  bool owned = false;
  explicit TempWorkdir(const std::filesystem::path& given) {
    if (!given.empty()) {
      path = given;
      std::filesystem::create_directories(path);
      return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "h5dig-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Error(ErrorKind::io, "cannot create a temporary directory");
    path = pattern;
    owned = true;
  }
  ~TempWorkdir() {
    std::error_code ec;
    if (owned) std::filesystem::remove_all(path, ec);
  }
};

void run_levels(const CodecBenchOptions& o, std::ostream& out) {
  // For each zlib level: zlib's size and speed, then every libdeflate level's,
  // on the detector frames shuffled (as h5py users write them) and as they
  // are (gzip without shuffle, h5py's default), and on text.
  Dataset det = detector_frames(o), txt = text(o);
  Dataset shuffled = det;
  shuffled.name = "detector, shuffled";
  codec::detail::shuffle_bytes(det.data.data(), shuffled.data.data(), det.data.size(), 2);
  out << "| data | zlib level | zlib bytes | zlib MB/s | encoder | bytes vs zlib | MB/s | speed vs zlib |\n";
  out << "|---|---|---|---|---|---|---|---|\n";
  for (auto* d : {&shuffled, &det, &txt}) {
    const Bytes& src = d->data;
    const std::size_t chunk = d->chunk_bytes;
    Bytes buf(compressBound(chunk) + 1024);
    for (int zl = 1; zl <= 9; ++zl) {
      if (o.zlib_level != 0 && zl != o.zlib_level) continue;
      std::size_t zbytes = 0;
      auto zlib_pass = [&] {
        zbytes = 0;
        for (std::size_t off = 0; off < src.size(); off += chunk) {
          uLongf len = buf.size();
          compress2(reinterpret_cast<Bytef*>(buf.data()), &len, reinterpret_cast<const Bytef*>(src.data() + off),
                    std::min(chunk, src.size() - off), zl);
          zbytes += len;
        }
      };
      // Each encoder is timed in alternation with zlib (zlib, encoder, zlib, ...),
      // medians of each: drift of the shared machine then moves both alike.
      auto row = [&](const std::string& encoder, const std::function<std::size_t(const std::byte*, std::size_t)>& enc) {
        std::size_t bytes = 0;
        std::vector<double> zts, ts;
        for (int i = 0; i < std::max(1, o.repeat / 2); ++i) {
          zts.push_back(seconds_of(zlib_pass));
          ts.push_back(seconds_of([&] {
            bytes = 0;
            for (std::size_t off = 0; off < src.size(); off += chunk) bytes += enc(src.data() + off, std::min(chunk, src.size() - off));
          }));
        }
        const double zt = median(zts), t = median(ts);
        out << fmt::format("| {} | {} | {} | {} | {} | {:+.1f}% | {} | {} |\n", d->name, zl, zbytes, mbs(src.size(), zt),
                           encoder, 100.0 * (double(bytes) / zbytes - 1), mbs(src.size(), t), ratio(zt, t));
      };
      for (int ll = 1; ll <= 12; ++ll) {
        auto* c = libdeflate_alloc_compressor(ll);
        row(fmt::format("libdeflate {}", ll), [&](const std::byte* p, std::size_t n) {
          return libdeflate_zlib_compress(c, p, n, buf.data(), buf.size());
        });
        libdeflate_free_compressor(c);
      }
      // h5dig's own encoder, as `gzip=4` uses it.
      codec::detail::DeflateEncoder own;
      Bytes own_buf(codec::detail::DeflateEncoder::zlib_bound(chunk));
      row("h5dig (gzip=4)", [&](const std::byte* p, std::size_t n) {
        return own.compress_zlib(reinterpret_cast<const std::uint8_t*>(p), n, reinterpret_cast<std::uint8_t*>(own_buf.data()),
                                 codec::detail::kOwnEncoderParams);
      });
    }
  }
}

}  // namespace

std::vector<std::string> codec_bench_cases() {
  std::vector<std::string> names;
  for (const auto& c : cases()) names.push_back(c.name);
  return names;
}

void run_bench_codecs(const CodecBenchOptions& o, std::ostream& out) {
  if (o.levels) return run_levels(o, out);
  auto all = cases();
  for (const auto& f : o.filters)
    if (std::none_of(all.begin(), all.end(), [&](const Case& c) { return c.name == f; }))
      throw Error(ErrorKind::usage, fmt::format("bench codecs: unknown filter '{}' (known: {})", f,
                                                fmt::join(codec_bench_cases(), ", ")));
  if (o.repeat < 1) throw Error(ErrorKind::usage, "bench codecs: --repeat must be at least 1");
  const bool tty = ::isatty(2);
  TempWorkdir work(o.workdir);
  std::vector<Dataset> datasets;
  datasets.push_back(detector_frames(o));
  datasets.push_back(text(o));

  out << fmt::format("Codec speed, one core: h5dig and the reference alternate run by run in this one process ({} "
                     "pairs); MB/s are medians, speed-ups the medians of the per-pair ratios. Data: detector = {} "
                     "frames of {}x{} uint16, "
                     "Poisson mean 0.5, one chunk per frame; text = {} MiB of English text in 1 MiB chunks. "
                     "Shuffle kernels: {}.\n\n",
                     o.repeat, o.frames, o.frame_side, o.frame_side, o.text_mib, codec::detail::simd::shuffle_isa());
  out << "| filter | data | reference | ratio | h5dig decode MB/s | ref decode MB/s | decode speedup | "
         "h5dig encode MB/s | ref encode MB/s | encode speedup | h5dig size vs ref |\n";
  out << "|---|---|---|---|---|---|---|---|---|---|---|\n";

  codec::Workspace ws;
  for (const auto& c : all) {
    if (!o.filters.empty() && std::find(o.filters.begin(), o.filters.end(), c.name) == o.filters.end()) continue;
    for (const auto& d : datasets) {
      if (std::find(c.datasets.begin(), c.datasets.end(), d.name) == c.datasets.end()) continue;
      if (tty) std::cerr << fmt::format("bench codecs: {} on {}...\n", c.name, d.name);
      // Element size of the dataset goes into the cd_values HDF5's set_local would fill.
      auto filters = c.filters;
      for (auto& f : filters) {
        if (f.id == codec::kShuffleId) f.cd_values = {unsigned(d.element_size)};
        if ((f.id == codec::kBitshuffleId || f.id == codec::kBloscId) && f.cd_values.size() > 2)
          f.cd_values[2] = unsigned(d.element_size);
        // szip's bits per pixel and scanline (128 blocks of 8 in these long chunks), LZF's chunk size.
        if (f.id == codec::kSzipId) f.cd_values = {169, 8, unsigned(8 * d.element_size), 8 * 128};
        if (f.id == codec::kLzfId) f.cd_values[2] = unsigned(d.chunk_bytes);
      }
      codec::Pipeline p(filters, d.element_size);
      const std::size_t nchunks = (d.data.size() + d.chunk_bytes - 1) / d.chunk_bytes;
      std::vector<Bytes> stored(nchunks);
      std::vector<std::uint32_t> masks(nchunks);
      auto chunk_at = [&](std::size_t k) {
        std::size_t off = k * d.chunk_bytes;
        return std::span<const std::byte>(d.data.data() + off, std::min(d.chunk_bytes, d.data.size() - off));
      };
      // h5dig encode (the copy out of the Workspace is part of the work a writer does).
      auto our_encode = [&] {
        for (std::size_t k = 0; k < nchunks; ++k) {
          auto e = p.encode(chunk_at(k), ws);
          stored[k].assign(e.bytes.begin(), e.bytes.end());
          masks[k] = e.filter_mask;
        }
      };
      Bytes back(d.data.size());
      auto our_decode = [&] {
        for (std::size_t k = 0; k < nchunks; ++k) {
          auto c0 = chunk_at(k);
          p.decode(stored[k], std::span<std::byte>(back.data() + k * d.chunk_bytes, c0.size()), masks[k], ws);
        }
      };
      our_encode();
      std::size_t ours_bytes = 0;
      for (const auto& s : stored) ours_bytes += s.size();
      our_decode();
      if (back != d.data) throw Error(ErrorKind::verify, fmt::format("bench codecs: {} round trip differs", c.name));
      const double ratio_v = double(d.data.size()) / double(ours_bytes);

      // Each row times h5dig and its reference in alternation (time_paired).
      auto row = [&](const std::string& ref, const PairedTimes& t, std::size_t rbytes) {
        out << fmt::format("| {} | {} | {} | {:.2f} | {} | {} | {} | {} | {} | {} | {} |\n", c.label, d.name, ref,
                           ratio_v, mbs(d.data.size(), t.our_decode), mbs(d.data.size(), t.their_decode),
                           speedup(t.decode_speedup), mbs(d.data.size(), t.our_encode),
                           mbs(d.data.size(), t.their_encode), speedup(t.encode_speedup),
                           rbytes ? fmt::format("{:+.1f}%", 100.0 * (double(ours_bytes) / rbytes - 1)) : "-");
      };
      if (c.reference) {
        Reference r = c.reference();
        std::vector<Bytes> rstored(nchunks);
        Bytes rback(d.data.size());
        PairedTimes t = time_paired(
            o.repeat, our_encode,
            [&] {
              for (std::size_t k = 0; k < nchunks; ++k) r.encode(chunk_at(k).data(), chunk_at(k).size(), rstored[k]);
            },
            our_decode,
            [&] {
              for (std::size_t k = 0; k < nchunks; ++k)
                r.decode(rstored[k], rstored[k].size(), rback.data() + k * d.chunk_bytes, chunk_at(k).size());
            });
        std::size_t rbytes = 0;
        for (const auto& s : rstored) rbytes += s.size();
        if (rback != d.data) throw Error(ErrorKind::verify, fmt::format("bench codecs: {} reference differs", r.name));
        row(r.name, t, rbytes);
      }
      if (c.hdf5_too) {
        bool avail = true;
        for (const auto& f : filters) avail = avail && h5::codec_bench::filter_available(f.id);
        if (!avail) {
          row("HDF5 (plugin missing)",
              PairedTimes{.our_encode = time_median(o.repeat, our_encode), .our_decode = time_median(o.repeat, our_decode)},
              0);
          continue;
        }
        auto path = work.path / fmt::format("{}-{}.h5", c.name, d.name);
        std::size_t hbytes = 0;
        // Filters as a user hands them to HDF5: the bitshuffle plugin's set_local
        // prepends [major, minor, element size] to the user's [block, compression],
        // so pass only those (hdf5-blosc's set_local overwrites slots 0-3 itself).
        auto user_filters = filters;
        for (auto& f : user_filters)
          if (f.id == codec::kBitshuffleId && f.cd_values.size() > 3)
            f.cd_values.erase(f.cd_values.begin(), f.cd_values.begin() + 3);
        Bytes hback(d.data.size());
        PairedTimes t = time_paired(
            o.repeat, our_encode,
            [&] { hbytes = h5::codec_bench::write_through_hdf5(path, user_filters, d.element_size, d.chunk_bytes, d.data); },
            our_decode, [&] { h5::codec_bench::read_through_hdf5(path, d.element_size, hback); });
        if (hback != d.data) throw Error(ErrorKind::verify, fmt::format("bench codecs: HDF5 {} read differs", c.name));
        std::filesystem::remove(path);
        row("HDF5 H5Dread/H5Dwrite", t, hbytes);
      }
    }
  }
}

}  // namespace h5dig::bench

#include "h5dig/codec/filter_spec_parse.hpp"

#include <fmt/format.h>
#include <lzf.h>

#include <algorithm>
#include <charconv>
#include <climits>

#include "h5dig/error.hpp"

namespace h5dig::codec {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

unsigned parse_level(std::string_view item, std::string_view value, unsigned lo, unsigned hi) {
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc{} || ptr != value.data() + value.size() || value.empty())
    throw_usage(fmt::format("filter '{}': level '{}' is not a number", item, value));
  if (v < lo || v > hi) throw_usage(fmt::format("filter '{}': level {} is outside {}..{}", item, v, lo, hi));
  return v;
}

// h5py's lzf_filter.c records H5PY_FILTER_LZF_VERSION and the LZF_VERSION of
// the liblzf it is built with (0x0105 in Debian, as here).
constexpr unsigned kLzfFilterRevision = 4, kLzfApiVersion = LZF_VERSION;

constexpr const char* kFilterNames =
    "shuffle, gzip=N, gzip=N:zlib, fletcher32, lz4, bslz4, zstd=N, szip=nn|ec[:PPB], lzf, bzip2=N, lzo, none";

// szip options mask bits (H5Zpublic.h H5_SZIP_*_OPTION_MASK).
constexpr unsigned kSzipK13 = 1, kSzipEc = 4, kSzipLsb = 8, kSzipMsb = 16, kSzipNn = 32, kSzipRaw = 128;
constexpr unsigned kSzipDefaultPixelsPerBlock = 8;  // h5py's szip_opts default ('nn', 8)
constexpr unsigned kSzipMaxBlocksPerScanline = 128;  // SZ_MAX_BLOCKS_PER_SCANLINE

// `nn`, `ec`, `nn:16`: {options mask, pixels per block} as H5Pset_szip records
// them (K13 and raw always on, byte order left to set_local).
std::vector<unsigned> parse_szip(std::string_view item, std::string_view value) {
  std::string_view method = value;
  unsigned ppb = kSzipDefaultPixelsPerBlock;
  if (auto colon = value.find(':'); colon != std::string_view::npos) {
    method = trim(value.substr(0, colon));
    const std::string_view text = trim(value.substr(colon + 1));
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ppb);
    if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty() || ppb < 2 || ppb > 32 || ppb % 2)
      throw_usage(fmt::format("filter '{}': pixels per block '{}' is not an even number in 2..32", item, text));
  }
  unsigned mask = 0;
  if (method == "nn") mask = kSzipNn;
  else if (method == "ec") mask = kSzipEc;
  else throw_usage(fmt::format("filter '{}': szip method '{}' is not nn or ec", item, method));
  return {mask | kSzipK13 | kSzipRaw, ppb};
}

std::uint64_t elements(std::span<const std::uint64_t> chunk_dims) {
  std::uint64_t n = 1;
  for (auto d : chunk_dims) n *= d;
  return n;
}

// The 4 values HDF5's szip set_local records for a little-endian type of
// `element_size` bytes at full precision in chunks of `chunk_dims`.
std::vector<unsigned> szip_local_values(const FilterSpec& f, std::size_t element_size,
                                        std::span<const std::uint64_t> chunk_dims) {
  if (auto why = szip_unsuitable(f, element_size, chunk_dims)) throw_usage(*why);
  const unsigned ppb = f.cd_values[1];
  // H5Z_set_local_szip: the chunk's fastest dimension, at most 128 blocks
  // (or the whole chunk, when that dimension is shorter than a block).
  const std::uint64_t limit = std::uint64_t{ppb} * kSzipMaxBlocksPerScanline;
  std::uint64_t scanline = chunk_dims.back();
  scanline = std::min(limit, scanline < ppb ? elements(chunk_dims) : scanline);
  const unsigned mask = (f.cd_values[0] & ~(kSzipLsb | kSzipMsb)) | kSzipLsb;
  return {mask, ppb, static_cast<unsigned>(8 * element_size), static_cast<unsigned>(scanline)};
}

FilterSpec spec(unsigned id, unsigned flags, std::vector<unsigned> cd) {
  FilterSpec s;
  s.id = id;
  s.flags = flags;
  s.cd_values = std::move(cd);
  s.name = filter_name(id);
  return s;
}

}  // namespace

std::optional<std::string> szip_unsuitable(const FilterSpec& szip, std::size_t element_size,
                                           std::span<const std::uint64_t> chunk_dims) {
  if (element_size != 1 && element_size != 2 && element_size != 4 && element_size != 8)
    return fmt::format("filter szip does not suit {}-byte elements (1, 2, 4 or 8)", element_size);
  if (chunk_dims.empty()) return "filter szip needs the chunk shape";
  if (szip.cd_values.size() < 2) return "filter szip needs its options and pixels per block";
  const unsigned ppb = szip.cd_values[1];
  if (elements(chunk_dims) < ppb)
    return fmt::format("filter szip: {} pixels per block, but chunks of {} elements", ppb, elements(chunk_dims));
  return std::nullopt;
}

ParsedFilters parse_filter_specs(std::string_view text) {
  ParsedFilters out;
  text = trim(text);
  if (text.empty()) throw_usage("empty filter spec (use 'none' for no filters)");
  std::size_t count = 0;
  bool saw_none = false;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (comma != std::string_view::npos && trim(text).empty()) throw_usage("filter spec ends with ','");
    ++count;
    if (item.empty()) throw_usage("empty item in filter spec");
    std::string_view name = item, value;
    bool has_value = false;
    if (auto eq = item.find('='); eq != std::string_view::npos) {
      name = trim(item.substr(0, eq));
      value = trim(item.substr(eq + 1));
      has_value = true;
    }
    // `gzip=4:zlib`, `gzip:zlib`: the engine suffix belongs to deflate only
    // (`szip=nn:16` has a colon in its value).
    std::string_view engine;
    std::string_view& tail = has_value ? value : name;
    if (auto colon = tail.find(':'); colon != std::string_view::npos && !(name == "szip" && has_value)) {
      engine = tail.substr(colon + 1);
      tail = tail.substr(0, colon);
    }
    auto no_value = [&] {
      if (has_value) throw_usage(fmt::format("filter '{}' takes no value", item));
    };
    if (!engine.empty() && name != "gzip" && name != "deflate")
      throw_usage(fmt::format("filter '{}': only gzip takes an engine (':zlib' or ':libdeflate')", item));
    if (name == "none") {
      no_value();
      saw_none = true;
    } else if (name == "gzip" || name == "deflate") {
      unsigned level = has_value ? parse_level(item, value, 0, 9) : 4;  // h5py's default level
      if (engine == "zlib") out.deflate = DeflateEngine::zlib;
      else if (!engine.empty() && engine != "libdeflate")
        throw_usage(fmt::format("filter '{}': unknown deflate engine '{}' (zlib or libdeflate)", item, engine));
      out.filters.push_back(spec(kDeflateId, kFlagOptional, {level}));
    } else if (name == "shuffle") {
      no_value();
      out.filters.push_back(spec(kShuffleId, kFlagOptional, {}));
    } else if (name == "fletcher32") {
      no_value();
      out.filters.push_back(spec(kFletcher32Id, 0, {}));
    } else if (name == "lz4") {
      no_value();
      out.filters.push_back(spec(kLz4Id, kFlagOptional, {0}));
    } else if (name == "bslz4" || name == "bitshuffle") {
      no_value();
      // {major, minor, element size, block size (0 = auto), compression (2 = LZ4)}
      out.filters.push_back(spec(kBitshuffleId, kFlagOptional, {0, 3, 0, 0, 2}));
    } else if (name == "zstd") {
      unsigned level = has_value ? parse_level(item, value, 1, 22) : 3;
      out.filters.push_back(spec(kZstdId, kFlagOptional, {level}));
    } else if (name == "szip") {
      out.filters.push_back(spec(kSzipId, kFlagOptional, parse_szip(item, has_value ? value : "nn")));
    } else if (name == "lzf") {
      no_value();
      out.filters.push_back(spec(kLzfId, kFlagOptional, {}));
    } else if (name == "bzip2") {
      unsigned block = has_value ? parse_level(item, value, 1, 9) : 9;  // the plugin's default block size
      out.filters.push_back(spec(kBzip2Id, kFlagOptional, {block}));
    } else if (name == "lzo") {
      no_value();
      out.filters.push_back(spec(kLzoId, kFlagOptional, {}));
    } else {
      throw_usage(fmt::format("unknown filter '{}' ({})", item, kFilterNames));
    }
  }
  if (saw_none && count > 1) throw_usage("filter 'none' cannot be combined with other filters");
  return out;
}

std::vector<FilterSpec> resolve_filter_specs(const std::vector<FilterSpec>& filters, std::size_t element_size,
                                             std::span<const std::uint64_t> chunk_dims) {
  std::vector<FilterSpec> out = filters;
  for (auto& f : out) {
    if (f.id == kSzipId) {
      f.cd_values = szip_local_values(f, element_size, chunk_dims);
    } else if (f.id == kLzfId) {
      // h5py's lzf_set_local: filter revision, LZF API version, chunk bytes
      // (0 when the chunk shape is not known: the decoder then guesses).
      const std::uint64_t bytes = chunk_dims.empty() ? 0 : element_size * elements(chunk_dims);
      f.cd_values = {kLzfFilterRevision, kLzfApiVersion, static_cast<unsigned>(std::min<std::uint64_t>(bytes, UINT_MAX))};
    } else if (f.id == kLzoId) {
      // What PyTables records for a CArray (object version 1.1, type CArray).
      f.cd_values = {1, 11, 4};
    }
    if (f.id == kShuffleId) {
      if (element_size <= 1)
        throw_usage("filter shuffle does not suit 1-byte elements (it would leave them unchanged); drop it");
      if (element_size > 255) throw_usage(fmt::format("filter shuffle does not suit {}-byte elements", element_size));
      // H5Z_set_local_shuffle records the element size as the only cd_value.
      f.cd_values = {static_cast<unsigned>(element_size)};
    } else if (f.id == kBitshuffleId) {
      if (element_size > 255)
        throw_usage(fmt::format("filter bitshuffle does not suit {}-byte elements", element_size));
      // bshuf_h5_set_local: cd[0..2] = version major, minor, element size; keeps
      // block size and compression from the user's values.
      std::vector<unsigned> cd = f.cd_values;
      cd.resize(5, 0);
      if (cd[4] == 0 && f.cd_values.size() < 5) cd[4] = 2;
      cd[0] = 0;
      cd[1] = 3;
      cd[2] = static_cast<unsigned>(element_size);
      f.cd_values = std::move(cd);
    }
  }
  return out;
}

std::string format_filter_specs(const std::vector<FilterSpec>& filters, DeflateEngine deflate) {
  if (filters.empty()) return "none";
  std::string out;
  for (const auto& f : filters) {
    if (!out.empty()) out += ',';
    switch (f.id) {
      case kDeflateId:
        out += fmt::format("gzip={}", f.cd_values.empty() ? 0u : f.cd_values[0]);
        if (deflate == DeflateEngine::zlib) out += ":zlib";
        break;
      case kShuffleId: out += "shuffle"; break;
      case kFletcher32Id: out += "fletcher32"; break;
      case kLz4Id: out += "lz4"; break;
      case kBitshuffleId:
        out += (f.cd_values.size() >= 5 && f.cd_values[4] == 2) ? "bslz4" : "bitshuffle";
        break;
      case kZstdId: out += fmt::format("zstd={}", f.cd_values.empty() ? 3u : f.cd_values[0]); break;
      case kSzipId:
        out += fmt::format("szip={}:{}", !f.cd_values.empty() && (f.cd_values[0] & kSzipNn) ? "nn" : "ec",
                           f.cd_values.size() > 1 ? f.cd_values[1] : kSzipDefaultPixelsPerBlock);
        break;
      case kLzfId: out += "lzf"; break;
      case kBzip2Id: out += fmt::format("bzip2={}", f.cd_values.empty() ? 9u : f.cd_values[0]); break;
      case kLzoId: out += "lzo"; break;
      default: {
        std::string n = filter_name(f.id);
        out += n.empty() ? fmt::format("filter{}", f.id) : n;
      }
    }
  }
  return out;
}

}  // namespace h5dig::codec

// Pipeline: resolves filter specs against the registry, runs decode (last
// filter first) and encode (first filter first) through a Workspace's buffers.
#include "h5dig/codec/pipeline.hpp"

#include <fmt/format.h>
#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "codec/codec.hpp"
#include "codec/deflate_encoder.hpp"

namespace h5dig::codec {

namespace detail {

void fail(const std::string& filter, const std::string& what) {
  throw Error(ErrorKind::corrupt, filter + ": " + what);
}

namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::map<unsigned, CodecFactory>& registry() {
  static std::map<unsigned, CodecFactory> r;
  return r;
}

}  // namespace

void register_codec(unsigned filter_id, CodecFactory factory) {
  std::lock_guard lock(registry_mutex());
  registry()[filter_id] = std::move(factory);
}

std::unique_ptr<Codec> make_codec(const FilterSpec& spec, std::size_t element_size) {
  CodecFactory factory;
  {
    std::lock_guard lock(registry_mutex());
    auto it = registry().find(spec.id);
    if (it != registry().end()) factory = it->second;
  }
  if (!factory) {
    std::string name = filter_name(spec.id);
    if (name.empty()) name = spec.name.empty() ? "unknown" : spec.name;
    throw Error(ErrorKind::unsupported, fmt::format("unsupported filter {} (id {})", name, spec.id));
  }
  return factory(spec, element_size);
}

}  // namespace detail

void register_builtin_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    detail::register_codec(kDeflateId, detail::make_deflate);
    detail::register_codec(kShuffleId, detail::make_shuffle);
    detail::register_codec(kFletcher32Id, detail::make_fletcher32);
    detail::register_codec(kLz4Id, detail::make_lz4);
    detail::register_codec(kZstdId, detail::make_zstd);
    detail::register_codec(kBloscId, detail::make_blosc);
    detail::register_codec(kBitshuffleId, detail::make_bitshuffle);
    detail::register_codec(kSzipId, detail::make_szip);
    detail::register_codec(kLzfId, detail::make_lzf);
    detail::register_codec(kBzip2Id, detail::make_bzip2);
    detail::register_codec(kLzoId, detail::make_lzo);
  });
}

bool is_supported(unsigned filter_id) {
  register_builtin_codecs();
  std::lock_guard lock(detail::registry_mutex());
  return detail::registry().count(filter_id) != 0;
}

// ---- Workspace -------------------------------------------------------------

Workspace::State::~State() {
  if (inflater_) libdeflate_free_decompressor(inflater_);
  for (auto* c : deflaters_)
    if (c) libdeflate_free_compressor(c);
  if (zstd_dctx_) ZSTD_freeDCtx(zstd_dctx_);
  if (zstd_cctx_) ZSTD_freeCCtx(zstd_cctx_);
}

libdeflate_decompressor* Workspace::State::inflater() {
  if (!inflater_) {
    inflater_ = libdeflate_alloc_decompressor();
    if (!inflater_) throw std::bad_alloc();
  }
  return inflater_;
}

libdeflate_compressor* Workspace::State::deflater(int level) {
  level = std::clamp(level, 0, 12);
  auto*& c = deflaters_[level];
  if (!c) {
    c = libdeflate_alloc_compressor(level);
    if (!c) throw std::bad_alloc();
  }
  return c;
}

detail::DeflateEncoder& Workspace::State::deflate_encoder() {
  if (!deflate_encoder_) deflate_encoder_ = std::make_unique<detail::DeflateEncoder>();
  return *deflate_encoder_;
}

ZSTD_DCtx_s* Workspace::State::zstd_dctx() {
  if (!zstd_dctx_) {
    zstd_dctx_ = ZSTD_createDCtx();
    if (!zstd_dctx_) throw std::bad_alloc();
  }
  return zstd_dctx_;
}

ZSTD_CCtx_s* Workspace::State::zstd_cctx() {
  if (!zstd_cctx_) {
    zstd_cctx_ = ZSTD_createCCtx();
    if (!zstd_cctx_) throw std::bad_alloc();
  }
  return zstd_cctx_;
}

Workspace::Workspace() : state_(std::make_unique<State>()) {}
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

// ---- Pipeline --------------------------------------------------------------

struct Pipeline::Impl {
  std::vector<FilterSpec> specs;
  std::vector<std::unique_ptr<detail::Codec>> codecs;
  std::size_t element_size = 1;
};

Pipeline::Pipeline(std::vector<FilterSpec> filters, std::size_t element_size, DeflateEngine deflate)
    : impl_(std::make_unique<Impl>()) {
  register_builtin_codecs();
  if (filters.size() > 32) throw Error(ErrorKind::unsupported, "filter pipeline has more than 32 filters");
  impl_->element_size = element_size == 0 ? 1 : element_size;
  for (const auto& spec : filters) {
    impl_->codecs.push_back(spec.id == kDeflateId && deflate == DeflateEngine::zlib
                                ? detail::make_zlib_deflate(spec)
                                : detail::make_codec(spec, impl_->element_size));
  }
  impl_->specs = std::move(filters);
}

Pipeline::~Pipeline() = default;
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;

bool Pipeline::empty() const noexcept { return impl_->codecs.empty(); }
const std::vector<FilterSpec>& Pipeline::filters() const noexcept { return impl_->specs; }
std::size_t Pipeline::element_size() const noexcept { return impl_->element_size; }

namespace {

std::string stage_name(const FilterSpec& spec) {
  std::string name = filter_name(spec.id);
  if (name.empty()) name = spec.name.empty() ? fmt::format("filter {}", spec.id) : spec.name;
  return name;
}

}  // namespace

void Pipeline::decode(std::span<const std::byte> stored, std::span<std::byte> out, std::uint32_t filter_mask,
                      Workspace& ws) const {
  auto& st = ws.state();
  const auto& codecs = impl_->codecs;
  // The filters this chunk went through, in encode order.
  std::vector<std::size_t> active;
  active.reserve(codecs.size());
  for (std::size_t i = 0; i < codecs.size(); ++i)
    if (!(i < 32 && (filter_mask >> i) & 1u)) active.push_back(i);

  if (active.empty()) {
    if (stored.size() != out.size())
      throw Error(ErrorKind::corrupt,
                  fmt::format("unfiltered chunk is {} bytes, expected {}", stored.size(), out.size()));
    if (!stored.empty()) std::memcpy(out.data(), stored.data(), out.size());
    return;
  }

  // Size of the data entering each active filter on encode = the size its
  // decoder must produce, when it is known (no compressor before it).
  std::vector<std::optional<std::size_t>> size_in(active.size());
  std::optional<std::size_t> size = out.size();
  for (std::size_t k = 0; k < active.size(); ++k) {
    size_in[k] = size;
    switch (codecs[active[k]]->kind()) {
      case detail::Kind::transform: break;
      case detail::Kind::checksum:
        if (size) *size += 4;
        break;
      case detail::Kind::compressor: size.reset(); break;
    }
  }
  // Bound for stages whose size is not known (a compressor feeding another):
  // generous, but derived from the nominal size, never from the data.
  const std::size_t unknown_cap = 2 * out.size() + 65536;

  std::span<const std::byte> cur = stored;
  int which = 0;
  for (std::size_t k = active.size(); k-- > 0;) {
    const auto& codec = *codecs[active[k]];
    const bool last = (k == 0);
    const bool exact = size_in[k].has_value();
    const std::size_t want = exact ? *size_in[k] : unknown_cap;
    std::span<std::byte> dst = last ? out : std::span<std::byte>(st.stage[which].reserve(want), want);
    std::size_t n;
    try {
      n = codec.decode(cur, dst, exact, st);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::corrupt) throw;
      throw Error(e.kind(), stage_name(impl_->specs[active[k]]) + ": " + e.what());
    }
    if (exact && n != want)
      throw Error(ErrorKind::corrupt, fmt::format("{}: decoded {} bytes, expected {}",
                                                  stage_name(impl_->specs[active[k]]), n, want));
    cur = std::span<const std::byte>(dst.data(), n);
    which ^= 1;
  }
}

EncodedChunk Pipeline::encode(std::span<const std::byte> raw, Workspace& ws) const {
  auto& st = ws.state();
  const auto& codecs = impl_->codecs;
  EncodedChunk result;
  std::span<const std::byte> cur = raw;
  int which = 0;
  for (std::size_t i = 0; i < codecs.size(); ++i) {
    const auto& codec = *codecs[i];
    const std::size_t cap = codec.encode_bound(cur.size());
    std::byte* dst = st.stage[which].reserve(cap);
    const bool may_skip = impl_->specs[i].optional() && codec.kind() == detail::Kind::compressor && i < 32;
    const std::span<std::byte> out(dst, cap);
    std::size_t n = may_skip ? codec.encode_optional(cur, out, st) : codec.encode(cur, out, st);
    // HDF5 skips an optional filter that fails (kDeclined: where the writer's
    // filter fails); a compressor that does not shrink the data is not worth
    // its decode cost, so it is skipped the same way.
    if (may_skip && (n == detail::kDeclined || n >= cur.size())) {
      result.filter_mask |= 1u << i;
      continue;
    }
    cur = std::span<const std::byte>(dst, n);
    which ^= 1;
  }
  if (cur.data() == raw.data() && !raw.empty()) {
    // Nothing applied: hand back a copy that lives in the Workspace, as documented.
    std::byte* dst = st.stage[which].reserve(raw.size());
    std::memcpy(dst, raw.data(), raw.size());
    cur = std::span<const std::byte>(dst, raw.size());
  }
  result.bytes = cur;
  return result;
}

}  // namespace h5dig::codec

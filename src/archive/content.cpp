#include "archive/content.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/format/chunk_record.hpp"
#include "h5dig/error.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/h5/filters.hpp"

namespace h5dig::archive::detail {

std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::byte> bytes) {
  return static_cast<std::uint32_t>(libdeflate_crc32(crc, bytes.data(), bytes.size()));
}

std::uint32_t crc32_combine(std::uint32_t crc1, std::uint32_t crc2, std::uint64_t len2) {
  return static_cast<std::uint32_t>(::crc32_combine64(crc1, crc2, static_cast<z_off64_t>(len2)));
}

namespace {

// Chunks larger than this are not decoded by h5dig (memory stays bounded);
// such datasets are reported, not read.
constexpr std::uint64_t kMaxNominalChunk = 256u << 20;
// Slab size for datasets read through H5Dread.
constexpr std::uint64_t kSlabBytes = 1u << 20;

// One chunk (or slab) of one member. Tokens are recycled by the pipeline:
// Producer::next resets every field (reset()) before filling it.
struct Token {
  std::size_t member = 0;
  std::uint64_t offset = 0;
  std::size_t length = 0;    // valid bytes of this chunk / slab
  std::size_t nominal = 0;   // decoded chunk size
  bool first = false, last = false;
  bool already_decoded = false;
  std::vector<std::byte> stored;
  std::vector<std::byte> data;
  std::uint32_t mask = 0;
  std::shared_ptr<const codec::Pipeline> pipeline;
  std::string error;
  std::uint32_t crc = 0;

  // Back to a fresh token, keeping the buffers' capacity.
  void reset() {
    member = 0;
    offset = 0;
    length = nominal = 0;
    first = last = already_decoded = false;
    stored.clear();
    data.clear();
    mask = 0;
    pipeline.reset();
    error.clear();
    crc = 0;
  }
};

std::string spec_key(const std::vector<codec::FilterSpec>& specs) {
  std::string key;
  for (const auto& s : specs) {
    key += fmt::format("{}:{}:", s.id, s.flags);
    for (unsigned v : s.cd_values) key += fmt::format("{},", v);
    key += ';';
  }
  return key;
}

// The serial HDF5 stage: walks the selected members chunk by chunk.
class Producer {
 public:
  Producer(const h5::File& file, const std::vector<Member>& members, const std::vector<std::size_t>& which)
      : root_(file.root()), members_(members), which_(which) {}

  // Fills `t` with the next token; false at the end.
  bool next(Token& t) {
    while (true) {
      t.reset();
      if (!open_) {
        if (pos_ >= which_.size()) return false;
        if (open_member(which_[pos_], t)) return true;  // an error / empty token
        if (!open_) continue;
      }
      next_chunk(t);
      return true;
    }
  }

 private:
  // Opens member `index`; fills `t` and returns true for empty or failed
  // members (one finished token), false when the member's chunks follow.
  bool open_member(std::size_t index, Token& t) {
    const Member& m = members_[index];
    auto single = [&](std::string error) {
      t.member = index;
      t.first = t.last = true;
      t.error = std::move(error);
      ++pos_;
      return true;
    };
    try {
      dataset_.emplace(root_.open_dataset(m.path.empty() ? "." : m.path));
      layout_ = h5::byte_dataset_layout(*dataset_);
      if (layout_.rank != 1 || layout_.element_size != 1) return single("not a 1-D byte dataset");
      size_ = layout_.size;
      if (size_ == 0) {
        dataset_.reset();
        return single("");
      }
      pipeline_.reset();
      slabs_ = true;
      if (layout_.layout == h5::Layout::chunked) {
        if (layout_.chunk == 0 || layout_.chunk > kMaxNominalChunk)
          return single(fmt::format("chunk of {} bytes exceeds the {} byte limit", layout_.chunk, kMaxNominalChunk));
        auto specs = h5::read_filter_specs(dataset_->create_plist());
        bool supported = std::all_of(specs.begin(), specs.end(), [](const auto& s) { return codec::is_supported(s.id); });
        if (supported) {
          slabs_ = false;
          if (!specs.empty()) {
            std::string key = spec_key(specs);
            auto it = pipelines_.find(key);
            if (it == pipelines_.end())
              it = pipelines_.emplace(key, std::make_shared<const codec::Pipeline>(specs, 1)).first;
            pipeline_ = it->second;
          }
        }
      }
      open_ = true;
      offset_ = 0;
      member_ = index;
      return false;
    } catch (const Error& e) {
      dataset_.reset();
      open_ = false;
      return single(e.what());
    }
  }

  void next_chunk(Token& token) {
    Token* t = &token;
    t->member = member_;
    t->offset = offset_;
    t->first = offset_ == 0;
    std::uint64_t step = slabs_ ? kSlabBytes : layout_.chunk;
    t->length = static_cast<std::size_t>(std::min<std::uint64_t>(step, size_ - offset_));
    t->nominal = slabs_ ? t->length : static_cast<std::size_t>(layout_.chunk);
    offset_ += t->length;
    t->last = offset_ >= size_;
    try {
      if (slabs_) {
        t->data.resize(t->length);
        h5::read_byte_range(*dataset_, t->offset, t->length, t->data.data());
        t->already_decoded = true;
      } else {
        h5::Size off[1] = {t->offset};
        h5::Size stored = dataset_->chunk_storage_size(std::span<const h5::Size>(off, 1));
        if (stored == 0) throw Error(ErrorKind::corrupt, fmt::format("chunk at byte {} is missing", t->offset));
        if (!format::plausible_stored_size(stored, t->nominal))
          throw Error(ErrorKind::corrupt, fmt::format("chunk at byte {}: stored size {} is implausible for a {}-byte chunk",
                                                      t->offset, stored, t->nominal));
        dataset_->read_chunk(std::span<const h5::Size>(off, 1), t->mask, t->stored);
        t->pipeline = pipeline_;
      }
    } catch (const Error& e) {
      t->error = e.what();
      t->last = true;  // give up on this member
    }
    if (t->last) {
      open_ = false;
      dataset_.reset();
      ++pos_;
    }
  }

  h5::Group root_;
  const std::vector<Member>& members_;
  const std::vector<std::size_t>& which_;
  std::size_t pos_ = 0;
  bool open_ = false;
  std::size_t member_ = 0;
  std::optional<h5::Dataset> dataset_;
  h5::ByteDatasetLayout layout_;
  std::uint64_t size_ = 0, offset_ = 0;
  bool slabs_ = false;
  std::shared_ptr<const codec::Pipeline> pipeline_;
  std::map<std::string, std::shared_ptr<const codec::Pipeline>> pipelines_;
};

void decode(Token& t, codec::Workspace& ws) {
  if (!t.error.empty() || t.already_decoded) return;
  try {
    if (!t.pipeline || t.pipeline->empty()) {
      // No filters: the stored chunk is the data.
      if (t.stored.size() < t.length)
        throw Error(ErrorKind::corrupt, fmt::format("chunk is {} bytes, expected {}", t.stored.size(), t.nominal));
      t.data = std::move(t.stored);
    } else {
      t.data.resize(t.nominal);
      t.pipeline->decode(t.stored, t.data, t.mask, ws);
      t.stored.clear();
    }
  } catch (const Error& e) {
    t.error = fmt::format("chunk at byte {}: {}", t.offset, e.what());
  }
}

}  // namespace

void read_contents(const h5::File& file, const std::vector<Member>& members, const std::vector<std::size_t>& which,
                   std::size_t threads, ContentSink& sink, util::Progress* progress) {
  threads = exec::resolved_threads(threads);
  Producer producer(file, members, which);
  std::vector<codec::Workspace> workspaces(threads);  // one per pipeline worker
  // Per-member state, touched only by the sink (serial, in order).
  std::uint32_t crc = 0;
  bool failed = false;
  std::string error;
  // The source enters HDF5; the sink (file writes, checksums) does not, so the
  // two may overlap. 3 tokens per thread: as many in flight as the 2T+2 this
  // stage ran with before it moved onto exec (equal at 2 threads).
  exec::run_pipeline<Token>(
      {.threads = threads, .tokens_per_thread = 3},
      [&](Token& t) { return producer.next(t); },
      [&](Token& t, std::size_t worker) {
        decode(t, workspaces[worker]);
        if (t.error.empty() && t.length > 0) t.crc = crc32_update(0, std::span(t.data.data(), t.length));
      },
      [&](Token& t) {
        if (t.first) {
          crc = 0;
          failed = false;
          error.clear();
          sink.begin(t.member);
        }
        if (!failed) {
          if (!t.error.empty()) {
            failed = true;
            error = t.error;
          } else if (t.length > 0) {
            sink.data(t.member, t.offset, std::span<const std::byte>(t.data.data(), t.length));
            crc = t.first ? t.crc : crc32_combine(crc, t.crc, t.length);
          }
        }
        if (progress) progress->advance(t.length);
        if (t.last) sink.end(t.member, crc, error);
      });
}

}  // namespace h5dig::archive::detail

#include "h5dig/io/chunk_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "h5dig/exec/push_pipeline.hpp"
#include "h5dig/h5/copy.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::io {

namespace {

std::uint64_t product(std::span<const h5::Size> v) {
  std::uint64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

std::string coords(std::span<const h5::Size> v) { return fmt::format("[{}]", fmt::join(v, ",")); }

}  // namespace

// ------------------------------------------------------------------ plan

std::string MemoryPlan::describe() const {
  return fmt::format("{} incomplete chunk{} of {} ({}) + {} in flight", open_chunks, open_chunks == 1 ? "" : "s",
                     util::format_bytes(double(chunk_bytes)), util::format_bytes(double(open_chunks * chunk_bytes)),
                     in_flight_chunks);
}

MemoryPlan plan_memory(std::span<const h5::Size> shape, std::span<const h5::Size> chunks,
                       std::span<const h5::Size> block_shape, std::size_t element_size, std::size_t in_flight) {
  MemoryPlan plan;
  plan.chunk_bytes = product(chunks) * element_size;
  plan.in_flight_chunks = in_flight;
  const std::size_t rank = chunks.size();
  std::vector<h5::Size> block(block_shape.begin(), block_shape.end());
  if (block.size() != rank) block.assign(chunks.begin(), chunks.end());
  auto nchunks = [&](std::size_t d) -> std::uint64_t {
    h5::Size n = std::max<h5::Size>(shape[d], block[d]);
    return std::max<std::uint64_t>(1, (n + chunks[d] - 1) / chunks[d]);
  };
  // A block straddles chunk boundaries along d unless it spans whole chunks
  // there (a multiple of the chunk) or the whole dimension.
  auto straddles = [&](std::size_t d) {
    return !(block[d] % chunks[d] == 0 || (shape[d] != 0 && block[d] >= shape[d]));
  };
  std::size_t k = rank;
  for (std::size_t d = 0; d < rank; ++d)
    if (straddles(d)) {
      k = d;
      break;
    }
  std::uint64_t open = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    std::uint64_t per_block = (std::max<h5::Size>(block[d], 1) + chunks[d] - 1) / chunks[d];
    if (d < k) {
      open *= std::min(per_block, nchunks(d));
    } else if (d == k) {
      // Blocks that tile the chunk exactly finish one chunk row before the next.
      std::uint64_t rows = (chunks[d] % std::max<h5::Size>(block[d], 1) == 0) ? per_block : per_block + 1;
      open *= std::min(rows, nchunks(d));
    } else {
      open *= nchunks(d);  // the sweep of the trailing dims completes before any chunk along k does
    }
  }
  plan.open_chunks = open;
  return plan;
}

// ------------------------------------------------------------------ session

struct DatasetState {
  h5::Dataset dataset{h5::kInvalidId};
  std::string name;
  std::optional<codec::Pipeline> encoder;  // gzip=N:zlib is a pipeline option
  std::vector<h5::Size> disk_extent;  // as last set in the file
  std::vector<h5::Size> extent;       // logical extent (grows with writes along non-fixed dims)
  std::size_t queued = 0;            // chunks handed to the session, not yet written
};

struct Job {
  std::shared_ptr<DatasetState> ds;
  std::vector<h5::Size> offset;  // chunk origin, elements
  std::vector<std::byte> raw;
  std::vector<std::byte> encoded;
  std::uint32_t mask = 0;
  std::exception_ptr error;  // the encoder's, rethrown with the chunk's coordinates
};

// The session runs on exec's push-style engine: the owner thread pushes
// complete chunks, the pool encodes them (one codec::Workspace per pool thread),
// and the owner pops them in push order to write them (HDF5 on its thread only).
struct WriteSession::Impl {
  std::size_t max_in_flight = 4;
  std::vector<codec::Workspace> workspaces;
  // Declared after `workspaces`: destroyed first, so no encoder still uses them.
  std::optional<exec::PushPipeline<Job>> encoders;
  std::vector<std::vector<std::byte>> spare;  // recycled raw buffers
  bool failed = false;
  std::uint64_t chunks_written = 0, bytes_written = 0;

  explicit Impl(const Options& options) {
    const std::size_t threads = exec::resolved_threads(options.threads);
    max_in_flight = options.max_in_flight ? options.max_in_flight : 2 * threads + 2;
    workspaces.resize(threads);
    encoders.emplace(exec::PipelineOptions{.threads = threads}, [this](Job& job, std::size_t worker) {
      try {
        codec::EncodedChunk e = job.ds->encoder->encode(job.raw, workspaces[worker]);
        job.encoded.assign(e.bytes.begin(), e.bytes.end());
        job.mask = e.filter_mask;
      } catch (...) {
        job.error = std::current_exception();
      }
    });
  }

  std::size_t threads() const { return encoders->threads(); }

  // A buffer of n bytes: a recycled one (old contents), or a new one, which
  // resize() has zero-filled (`zeroed` says which).
  std::vector<std::byte> take_buffer(std::size_t n, bool* zeroed = nullptr) {
    std::vector<std::byte> b;
    if (!spare.empty()) {
      b = std::move(spare.back());
      spare.pop_back();
    }
    if (zeroed) *zeroed = b.empty();
    b.resize(n);
    return b;
  }

  void submit(std::unique_ptr<Job> job) {
    if (failed) throw Error(ErrorKind::io, "write session failed earlier");
    while (encoders->size() >= max_in_flight) write_front(true);  // backpressure
    ++job->ds->queued;
    encoders->push(std::move(job));
    while (write_front(false)) {
    }
  }

  // Writes the oldest chunk if it is encoded (waiting for it if `wait`);
  // returns whether one was written. The serial HDF5 stage: owner thread only.
  bool write_front(bool wait) {
    std::unique_ptr<Job> job = encoders->pop(wait);
    if (!job) return false;
    DatasetState& ds = *job->ds;
    try {
      if (job->error) std::rethrow_exception(job->error);
      bool beyond = false;
      for (std::size_t d = 0; d < job->offset.size(); ++d)
        if (job->offset[d] >= ds.disk_extent[d]) beyond = true;
      if (beyond) {
        // H5Dwrite_chunk refuses chunks outside the current extent.
        std::vector<h5::Size> e = ds.disk_extent;
        for (std::size_t d = 0; d < e.size(); ++d) e[d] = std::max(e[d], ds.extent[d]);
        ds.dataset.set_extent(e);
        ds.disk_extent = e;
      }
      ds.dataset.write_chunk(job->offset, job->mask, job->encoded);
    } catch (const Error& e) {
      failed = true;
      throw e.with_context(fmt::format("{} chunk {}", ds.name, coords(job->offset)));
    } catch (const std::exception& e) {
      failed = true;
      throw Error(ErrorKind::io, fmt::format("{} chunk {}: {}", ds.name, coords(job->offset), e.what()));
    }
    --ds.queued;
    ++chunks_written;
    bytes_written += job->encoded.size();
    if (spare.size() < max_in_flight + 2) spare.push_back(std::move(job->raw));
    return true;
  }

  void flush() {
    if (failed) throw Error(ErrorKind::io, "write session failed earlier");
    while (write_front(true)) {
    }
  }

  // Writes every queued chunk of `ds` (and, the queue being ordered, those
  // queued before them).
  void flush_dataset(const DatasetState* ds) {
    while (ds->queued > 0) write_front(true);
  }
};

WriteSession::WriteSession(Options options) : impl_(std::make_unique<Impl>(options)) {}

// Queued chunks are dropped (PushPipeline's destructor); running encodes are waited for.
WriteSession::~WriteSession() = default;

std::size_t WriteSession::threads() const noexcept { return impl_->threads(); }
std::size_t WriteSession::max_in_flight() const noexcept { return impl_->max_in_flight; }
void WriteSession::flush() { impl_->flush(); }
std::uint64_t WriteSession::chunks_written() const noexcept { return impl_->chunks_written; }
std::uint64_t WriteSession::bytes_written() const noexcept { return impl_->bytes_written; }

// ------------------------------------------------------------------ writer

struct ChunkWriter::Impl {
  WriteSession::Impl* session = nullptr;
  std::shared_ptr<DatasetState> ds;
  std::vector<codec::FilterSpec> filters;
  std::vector<h5::Size> chunks, maxdims;
  std::vector<bool> fixed;  // dimension whose extent is final at creation
  std::size_t esize = 0;
  std::uint64_t chunk_elems = 0, chunk_bytes = 0;
  std::vector<std::byte> fill;  // one element
  bool zero_fill = true;
  MemoryPlan plan;
  std::uint64_t memory_limit = kDefaultMemoryLimit;
  struct Partial {
    std::vector<std::byte> buf;
    std::uint64_t filled = 0;
  };
  std::map<std::vector<h5::Size>, Partial> partials;  // by chunk index; ordered so finish() is row-major
  bool finished = false;

  std::size_t rank() const { return chunks.size(); }

  void init_buffer(std::vector<std::byte>& b) {
    if (zero_fill) {
      std::memset(b.data(), 0, b.size());
      return;
    }
    for (std::size_t i = 0; i + esize <= b.size(); i += esize) std::memcpy(b.data() + i, fill.data(), esize);
  }

  // Elements of chunk `idx` that lie inside the dataset: when all of them are
  // written the chunk is complete. Along a dimension that may still grow the
  // whole chunk must be written (finish() flushes what is left).
  std::uint64_t needed(const std::vector<h5::Size>& idx) const {
    std::uint64_t n = 1;
    for (std::size_t d = 0; d < rank(); ++d) {
      h5::Size origin = idx[d] * chunks[d];
      h5::Size len = chunks[d];
      if (fixed[d]) len = std::min<h5::Size>(len, ds->extent[d] - origin);
      n *= len;
    }
    return n;
  }

  void submit(const std::vector<h5::Size>& idx, std::vector<std::byte> buf) {
    auto job = std::make_unique<Job>();
    job->ds = ds;
    job->offset.resize(rank());
    for (std::size_t d = 0; d < rank(); ++d) job->offset[d] = idx[d] * chunks[d];
    job->raw = std::move(buf);
    session->submit(std::move(job));
  }

  void check_memory() {
    std::uint64_t held = partials.size() * chunk_bytes;
    if (held + 2 * session->max_in_flight * chunk_bytes > memory_limit)
      throw_usage(fmt::format("{}: the write order keeps {} incomplete chunks of {} ({}) in memory, over the {} "
                              "limit; write in chunk order, choose chunks that follow the write order, or raise "
                              "the limit (--memory-limit)",
                              ds->name, partials.size(), util::format_bytes(double(chunk_bytes)),
                              util::format_bytes(double(held)), util::format_bytes(double(memory_limit))));
  }

  void write(std::span<const h5::Size> offset, std::span<const h5::Size> shape, std::span<const std::byte> data) {
    if (finished) throw_usage(fmt::format("{}: write after finish", ds->name));
    const std::size_t r = rank();
    if (offset.size() != r || shape.size() != r)
      throw_usage(fmt::format("{}: block of rank {} written to a rank-{} dataset", ds->name, shape.size(), r));
    std::uint64_t n = product(shape);
    if (data.size() != n * esize)
      throw_usage(fmt::format("{}: block {} of {} elements needs {} bytes, got {}", ds->name, coords(shape), n,
                              n * esize, data.size()));
    for (std::size_t d = 0; d < r; ++d) {
      h5::Size end = offset[d] + shape[d];
      h5::Size limit = fixed[d] ? ds->extent[d] : maxdims[d];
      if (end > limit || end < offset[d])
        throw_usage(fmt::format("{}: block at {} of shape {} goes past the dataset's {} {} along dimension {}",
                                ds->name, coords(offset), coords(shape), fixed[d] ? "extent" : "maximum", limit, d));
    }
    if (n == 0) return;
    for (std::size_t d = 0; d < r; ++d)
      if (!fixed[d]) ds->extent[d] = std::max<h5::Size>(ds->extent[d], offset[d] + shape[d]);

    // Chunk index ranges touched by the block.
    std::vector<h5::Size> lo(r), hi(r), idx(r);
    for (std::size_t d = 0; d < r; ++d) {
      lo[d] = offset[d] / chunks[d];
      hi[d] = (offset[d] + shape[d] - 1) / chunks[d];
    }
    idx = lo;
    // Block strides (elements) for row-major addressing.
    std::vector<std::uint64_t> bstride(r, 1), cstride(r, 1);
    for (std::size_t d = r - 1; d-- > 0;) {
      bstride[d] = bstride[d + 1] * shape[d + 1];
      cstride[d] = cstride[d + 1] * chunks[d + 1];
    }
    std::vector<h5::Size> a(r), b(r);  // intersection [a, b) in dataset coordinates
    for (;;) {
      std::uint64_t count = 1;
      for (std::size_t d = 0; d < r; ++d) {
        h5::Size c0 = idx[d] * chunks[d];
        a[d] = std::max<h5::Size>(c0, offset[d]);
        b[d] = std::min<h5::Size>(c0 + chunks[d], offset[d] + shape[d]);
        count *= b[d] - a[d];
      }
      auto it = partials.find(idx);
      if (it == partials.end()) {
        Partial p;
        bool zeroed = false;
        p.buf = session->take_buffer(chunk_bytes, &zeroed);
        // A chunk this block fills entirely needs no fill, nor a new buffer
        // (already zeroed) when the fill value is zero.
        if (count != chunk_elems && !(zeroed && zero_fill)) init_buffer(p.buf);
        it = partials.emplace(idx, std::move(p)).first;
        check_memory();
      }
      copy_into(it->second.buf, idx, a, b, offset, data, bstride, cstride);
      it->second.filled += count;
      if (it->second.filled >= needed(idx)) {
        std::vector<std::byte> buf = std::move(it->second.buf);
        partials.erase(it);
        submit(idx, std::move(buf));
      }
      // next chunk index (row-major over [lo, hi])
      std::size_t d = r;
      while (d-- > 0) {
        if (++idx[d] <= hi[d]) break;
        idx[d] = lo[d];
        if (d == 0) return;
      }
    }
  }

  // Copies the intersection box [a, b) from the block into the chunk buffer,
  // one contiguous innermost run at a time.
  void copy_into(std::vector<std::byte>& chunk, const std::vector<h5::Size>& idx, const std::vector<h5::Size>& a,
                 const std::vector<h5::Size>& b, std::span<const h5::Size> offset, std::span<const std::byte> data,
                 const std::vector<std::uint64_t>& bstride, const std::vector<std::uint64_t>& cstride) const {
    const std::size_t r = rank();
    const std::size_t run = (b[r - 1] - a[r - 1]) * esize;
    std::vector<h5::Size> p(a.begin(), a.end());
    for (;;) {
      std::uint64_t bo = 0, co = 0;
      for (std::size_t d = 0; d < r; ++d) {
        bo += (p[d] - offset[d]) * bstride[d];
        co += (p[d] - idx[d] * chunks[d]) * cstride[d];
      }
      std::memcpy(chunk.data() + co * esize, data.data() + bo * esize, run);
      if (r == 1) return;
      std::size_t d = r - 1;
      while (d-- > 0) {
        if (++p[d] < b[d]) break;
        p[d] = a[d];
        if (d == 0) return;
      }
    }
  }

  void finish(bool wait) {
    if (finished) return;
    // Incomplete chunks: what was not written is the fill value (HDF5 does the same).
    while (!partials.empty()) {
      auto it = partials.begin();
      std::vector<h5::Size> idx = it->first;
      std::vector<std::byte> buf = std::move(it->second.buf);
      partials.erase(it);
      submit(idx, std::move(buf));
    }
    finished = true;
    if (ds->extent != ds->disk_extent) {
      try {
        ds->dataset.set_extent(ds->extent);
      } catch (const Error& e) {
        session->failed = true;
        throw e.with_context(ds->name);
      }
      ds->disk_extent = ds->extent;
    }
    if (wait) session->flush_dataset(ds.get());
  }
};

namespace {

std::unique_ptr<ChunkWriter::Impl> make_impl(WriteSession& session, WriteSession::Impl* session_impl, h5::Dataset dataset, std::string name,
                                             const std::vector<codec::FilterSpec>& filters,
                                             codec::DeflateEngine engine, const WriteOptions& options) {
  auto impl = std::make_unique<ChunkWriter::Impl>();
  impl->session = session_impl;
  impl->memory_limit = options.memory_limit;
  h5::Datatype type = dataset.type();
  impl->esize = type.size();
  impl->chunks = dataset.chunk_dims();
  if (impl->chunks.empty()) throw_usage(fmt::format("{}: not a chunked dataset", name));
  h5::Dataspace space = dataset.space();
  auto dims = space.dims();
  impl->maxdims = space.maxdims();
  impl->fixed.resize(dims.size());
  for (std::size_t d = 0; d < dims.size(); ++d) impl->fixed[d] = impl->maxdims[d] == dims[d];
  impl->chunk_elems = product(impl->chunks);
  impl->chunk_bytes = impl->chunk_elems * impl->esize;
  impl->fill = h5::fill_value_bytes(dataset);
  impl->zero_fill = std::all_of(impl->fill.begin(), impl->fill.end(), [](std::byte b) { return b == std::byte{0}; });
  impl->filters = filters;
  impl->plan = plan_memory(dims, impl->chunks, options.block_shape, impl->esize, session.max_in_flight());
  if (impl->plan.total_bytes() > options.memory_limit)
    throw_usage(fmt::format("{}: writing blocks of {} into chunks {} needs {} at once ({}), over the {} limit; "
                            "choose chunks that follow the write order or raise the limit (--memory-limit)",
                            name, coords(options.block_shape.empty() ? impl->chunks : options.block_shape),
                            coords(impl->chunks), util::format_bytes(double(impl->plan.total_bytes())),
                            impl->plan.describe(), util::format_bytes(double(options.memory_limit))));
  auto ds = std::make_shared<DatasetState>();
  ds->name = std::move(name);
  try {
    ds->encoder.emplace(filters, impl->esize, engine);
  } catch (const Error& e) {
    throw e.with_context(ds->name);
  }
  ds->disk_extent = dims;
  ds->extent = dims;
  ds->dataset = std::move(dataset);
  impl->ds = std::move(ds);
  return impl;
}

}  // namespace

ChunkWriter::ChunkWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChunkWriter::ChunkWriter(ChunkWriter&&) noexcept = default;
ChunkWriter& ChunkWriter::operator=(ChunkWriter&&) noexcept = default;
ChunkWriter::~ChunkWriter() = default;

ChunkWriter ChunkWriter::create(WriteSession& session, const h5::Group& parent, const DatasetSpec& spec,
                                const WriteOptions& options) {
  h5::init();
  const std::size_t rank = spec.shape.size();
  if (rank == 0) throw_usage(fmt::format("{}: a chunked dataset needs at least one dimension", spec.name));
  const auto& maxshape = spec.maxshape.empty() ? spec.shape : spec.maxshape;
  if (maxshape.size() != rank || spec.chunks.size() != rank)
    throw_usage(fmt::format("{}: shape {} , maxshape {} and chunks {} differ in rank", spec.name, coords(spec.shape),
                            coords(maxshape), coords(spec.chunks)));
  for (std::size_t d = 0; d < rank; ++d) {
    if (spec.chunks[d] == 0) throw_usage(fmt::format("{}: chunk dimension {} is 0", spec.name, d));
    if (maxshape[d] != h5::kUnlimited && maxshape[d] < spec.shape[d])
      throw_usage(fmt::format("{}: maxshape {} is smaller than shape {}", spec.name, coords(maxshape),
                              coords(spec.shape)));
    // HDF5 refuses chunks larger than a fixed dimension.
    if (maxshape[d] != h5::kUnlimited && spec.chunks[d] > maxshape[d])
      throw_usage(fmt::format("{}: chunks {} are larger than the dataset {} along dimension {}", spec.name,
                              coords(spec.chunks), coords(maxshape), d));
  }
  std::size_t esize = h5::type_size_or_zero(spec.type);
  if (esize == 0) throw_usage(fmt::format("{}: invalid element type", spec.name));
  // Chunk bytes are the elements themselves: variable-length data and
  // references are heap pointers, not data.
  if (!h5::is_fixed_size_type(h5::Datatype::copy_of(spec.type)))
    throw_usage(fmt::format("{}: variable-length or reference types cannot be written chunk by chunk", spec.name));
  std::uint64_t chunk_bytes = product(spec.chunks) * esize;
  if (chunk_bytes > (std::uint64_t{4} << 30) - 1)
    throw_usage(fmt::format("{}: chunks {} are {} bytes, over HDF5's 4 GiB chunk limit", spec.name,
                            coords(spec.chunks), chunk_bytes));
  std::vector<codec::FilterSpec> filters;
  try {
    const std::vector<std::uint64_t> chunk_dims(spec.chunks.begin(), spec.chunks.end());
    filters = codec::resolve_filter_specs(spec.filters, esize, chunk_dims);
  } catch (const Error& e) {
    throw e.with_context(spec.name);
  }
  // Fail before creating anything if h5dig cannot encode the pipeline.
  for (const auto& f : filters)
    if (!codec::is_supported(f.id))
      throw Error(ErrorKind::unsupported,
                  fmt::format("{}: unsupported filter {} (id {})", spec.name, codec::filter_name(f.id), f.id));
  // Check the plan before creating the dataset, so a refusal leaves nothing behind.
  MemoryPlan plan = plan_memory(spec.shape, spec.chunks, options.block_shape, esize, session.max_in_flight());
  if (plan.total_bytes() > options.memory_limit)
    throw_usage(fmt::format("{}: writing blocks of {} into chunks {} needs {} at once ({}), over the {} limit; "
                            "choose chunks that follow the write order or raise the limit (--memory-limit)",
                            spec.name, coords(options.block_shape.empty() ? spec.chunks : options.block_shape),
                            coords(spec.chunks), util::format_bytes(double(plan.total_bytes())), plan.describe(),
                            util::format_bytes(double(options.memory_limit))));
  h5::ChunkedCreate c;
  c.name = spec.name;
  c.file_type = spec.type;
  c.dims = spec.shape;
  c.maxdims = maxshape;
  c.chunks = spec.chunks;
  c.filters = filters;
  c.fill_value = spec.fill_value;
  c.track_times = spec.track_times;
  h5::Dataset ds = h5::create_chunked_dataset(parent, c);
  // Encode with what the file records (a loaded plugin's set_local may have
  // rewritten cd_values, e.g. bitshuffle's version fields).
  auto recorded = h5::read_filter_specs(ds.create_plist());
  return ChunkWriter(make_impl(session, session.impl_.get(), std::move(ds), spec.name, recorded, spec.deflate, options));
}

ChunkWriter ChunkWriter::open(WriteSession& session, h5::Dataset dataset, codec::DeflateEngine deflate,
                              const WriteOptions& options) {
  std::string name = dataset.name();
  auto filters = h5::read_filter_specs(dataset.create_plist());
  return ChunkWriter(make_impl(session, session.impl_.get(), std::move(dataset), name, filters, deflate, options));
}

void ChunkWriter::write(std::span<const h5::Size> offset, std::span<const h5::Size> shape,
                        std::span<const std::byte> data) {
  impl_->write(offset, shape, data);
}

void ChunkWriter::append(std::span<const h5::Size> shape, std::span<const std::byte> data) {
  std::vector<h5::Size> offset(impl_->rank(), 0);
  offset[0] = impl_->ds->extent[0];
  if (impl_->fixed[0]) throw_usage(fmt::format("{}: append needs an extendible first dimension", impl_->ds->name));
  impl_->write(offset, shape, data);
}

void ChunkWriter::write_all(std::span<const std::byte> data) {
  std::vector<h5::Size> offset(impl_->rank(), 0);
  impl_->write(offset, impl_->ds->extent, data);
}

void ChunkWriter::finish(bool wait) { impl_->finish(wait); }
const std::vector<h5::Size>& ChunkWriter::extent() const noexcept { return impl_->ds->extent; }
const std::string& ChunkWriter::name() const noexcept { return impl_->ds->name; }
const MemoryPlan& ChunkWriter::plan() const noexcept { return impl_->plan; }
const std::vector<codec::FilterSpec>& ChunkWriter::filters() const noexcept { return impl_->filters; }

}  // namespace h5dig::io

#include "h5dig/io/parallel_reader.hpp"
#include "h5dig/util/breadcrumb.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>

#include "h5dig/chunk/chunk_map.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/format/chunk_record.hpp"
#include "h5dig/format/file_reader.hpp"
#include "h5dig/error.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/h5/read_support.hpp"
#include "h5dig/util/fd.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::io {

namespace {

using Clock = std::chrono::steady_clock;

// util::pread_exact of `n` bytes at `offset`, a step of work for the worker's
// watchdog; false when the file ends first. Thread-safe.
bool pread_full(int fd, std::byte* out, std::size_t n, std::uint64_t offset, const std::string& what) {
  util::heartbeat();
  const util::ReadResult r = util::pread_exact(fd, {out, n}, offset);
  if (r.error != 0)
    throw_io(fmt::format("{}: read failed at byte {}: {}", what, offset + r.bytes, std::strerror(r.error)));
  return r.bytes == n;
}

// A grow-only byte buffer that is not zero-filled (std::vector would clear
// every byte that decode or pread is about to overwrite anyway).
class Buffer {
 public:
  std::span<std::byte> resize(std::size_t n) {
    if (n > capacity_) {
      data_ = std::make_unique_for_overwrite<std::byte[]>(n);
      capacity_ = n;
    }
    size_ = n;
    return {data_.get(), size_};
  }
  std::span<std::byte> span() noexcept { return {data_.get(), size_}; }

 private:
  std::unique_ptr<std::byte[]> data_;
  std::size_t capacity_ = 0, size_ = 0;
};

std::string join_coords(std::span<const std::uint64_t> c) {
  std::string s;
  for (std::size_t i = 0; i < c.size(); ++i) s += (i ? "," : "") + std::to_string(c[i]);
  return s;
}

// Copies (or fills) the intersection of one chunk-shaped block with the
// selection into the output, merging trailing dimensions that are whole in
// both the block and the output into one memcpy. With steps, the selected
// elements of a block are every step-th one from src_lo: the block (a decoded
// chunk, or the bounding box of a contiguous row) is read whole and copied
// with stride, so memory stays one chunk per thread whatever the step.
struct Region {
  std::size_t rank = 0;
  std::vector<std::uint64_t> src_lo;   // first selected element inside the block
  std::vector<std::uint64_t> src_step; // elements between selected ones in the block (1 if extent <= 1)
  std::vector<std::uint64_t> dst_lo;   // first element inside the output
  std::vector<std::uint64_t> extent;   // elements to copy per dimension
  std::uint64_t elements() const {
    std::uint64_t n = 1;
    for (auto e : extent) n *= e;
    return n;
  }
};

// The intersection of the block [origin, origin+block) with `sel`.
Region intersect(std::span<const std::uint64_t> origin, std::span<const std::uint64_t> block, const Selection& sel) {
  Region r;
  r.rank = origin.size();
  r.src_lo.resize(r.rank);
  r.src_step.resize(r.rank);
  r.dst_lo.resize(r.rank);
  r.extent.resize(r.rank);
  for (std::size_t d = 0; d < r.rank; ++d) {
    const std::uint64_t step = sel.step_of(d);
    const std::uint64_t first = sel.start[d];
    const std::uint64_t end = sel.count[d] == 0 ? first : first + (sel.count[d] - 1) * step + 1;  // past the last
    const std::uint64_t lo = std::max(origin[d], first);
    const std::uint64_t hi = std::min(origin[d] + block[d], end);
    std::uint64_t i_lo = 0, i_end = 0;  // selected indices [i_lo, i_end) inside the block
    if (hi > lo) {
      i_lo = (lo - first + step - 1) / step;
      i_end = (hi - 1 - first) / step + 1;
    }
    r.extent[d] = i_end > i_lo ? i_end - i_lo : 0;
    r.src_lo[d] = r.extent[d] ? first + i_lo * step - origin[d] : 0;
    r.src_step[d] = r.extent[d] > 1 ? step : 1;
    r.dst_lo[d] = i_lo;
  }
  return r;
}

// The plan of runs for copying `r` from a block of shape `block` to an output
// of shape `out_shape`: dims [0, k) are iterated, dims [k, rank) form one run
// that is contiguous in the output; in the block it is contiguous too unless
// the innermost dimension has a step (then run_src_step > the element size).
struct RunPlan {
  std::size_t k = 0;
  std::uint64_t run_bytes = 0;     // output bytes of a run
  std::uint64_t run_elements = 0;
  std::uint64_t run_src_step = 0;  // bytes between a run's elements in the block
  std::size_t esize = 0;
  std::uint64_t src0 = 0, dst0 = 0;                   // byte offsets of the first run
  std::vector<std::uint64_t> src_stride, dst_stride;  // bytes per iteration step, per dimension
  bool contiguous() const noexcept { return run_src_step == esize; }
  // Bytes a run spans in the block.
  std::uint64_t run_src_span() const noexcept { return run_elements ? (run_elements - 1) * run_src_step + esize : 0; }
};

RunPlan plan_runs(const Region& r, std::span<const std::uint64_t> block, std::span<const std::uint64_t> out_shape,
                  std::size_t esize) {
  RunPlan p;
  const std::size_t rank = r.rank;
  p.esize = esize;
  std::vector<std::uint64_t> block_stride(rank, esize);
  p.dst_stride.assign(rank, esize);
  for (std::size_t d = rank; d-- > 1;) {
    block_stride[d - 1] = block_stride[d] * block[d];
    p.dst_stride[d - 1] = p.dst_stride[d] * out_shape[d];
  }
  p.src_stride.resize(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    p.src0 += r.src_lo[d] * block_stride[d];
    p.dst0 += r.dst_lo[d] * p.dst_stride[d];
    p.src_stride[d] = block_stride[d] * r.src_step[d];
  }
  // Merge from the innermost dimension outwards while the dimension below is
  // whole in both the block and the output and nothing is stepped over.
  std::size_t k = rank - 1;
  std::uint64_t elements = r.extent[rank - 1];
  p.run_src_step = esize * r.src_step[rank - 1];
  if (r.src_step[rank - 1] == 1) {
    while (k > 0 && r.extent[k] == block[k] && r.extent[k] == out_shape[k] && r.src_step[k - 1] == 1) {
      --k;
      elements *= r.extent[k];
    }
  }
  p.k = k;
  p.run_elements = elements;
  p.run_bytes = elements * esize;
  return p;
}

// Calls fn(src_offset_bytes, dst_offset_bytes) for every run of the plan.
template <typename Fn>
void for_each_run(const Region& r, const RunPlan& p, Fn&& fn) {
  const std::size_t k = p.k;
  std::uint64_t src = p.src0, dst = p.dst0;
  if (k == 0) {
    fn(src, dst);
    return;
  }
  for (std::size_t d = 0; d < k; ++d) {
    if (r.extent[d] == 0) return;
  }
  std::vector<std::uint64_t> idx(k, 0);
  for (;;) {
    fn(src, dst);
    std::size_t d = k;
    while (d-- > 0) {
      if (++idx[d] < r.extent[d]) {
        src += p.src_stride[d];
        dst += p.dst_stride[d];
        break;
      }
      src -= (r.extent[d] - 1) * p.src_stride[d];
      dst -= (r.extent[d] - 1) * p.dst_stride[d];
      idx[d] = 0;
      if (d == 0) return;
    }
  }
}

template <typename T>
void gather(std::byte* dst, const std::byte* src, std::uint64_t n, std::uint64_t step) {
  for (std::uint64_t i = 0; i < n; ++i) std::memcpy(dst + i * sizeof(T), src + i * step, sizeof(T));
}

// Copies one run of the plan from the block at `src` to the output at `dst`.
void copy_run(std::byte* dst, const std::byte* src, const RunPlan& p) {
  if (p.contiguous()) {
    std::memcpy(dst, src, p.run_bytes);
    return;
  }
  switch (p.esize) {
    case 1: gather<std::uint8_t>(dst, src, p.run_elements, p.run_src_step); return;
    case 2: gather<std::uint16_t>(dst, src, p.run_elements, p.run_src_step); return;
    case 4: gather<std::uint32_t>(dst, src, p.run_elements, p.run_src_step); return;
    case 8: gather<std::uint64_t>(dst, src, p.run_elements, p.run_src_step); return;
    default:
      for (std::uint64_t i = 0; i < p.run_elements; ++i) std::memcpy(dst + i * p.esize, src + i * p.run_src_step, p.esize);
  }
}

void fill_pattern(std::byte* dst, std::size_t bytes, std::span<const std::byte> value, bool zero) {
  if (zero || value.empty()) {
    std::memset(dst, 0, bytes);
    return;
  }
  const std::size_t es = value.size();
  if (bytes < es) return;
  std::memcpy(dst, value.data(), es);
  // Doubling copies: log2(n) memcpy calls.
  std::size_t done = es;
  while (done < bytes) {
    std::size_t n = std::min(done, bytes - done);
    std::memcpy(dst + done, dst, n);
    done += n;
  }
}

}  // namespace

struct ParallelReader::Impl {
  std::string file, dataset;
  std::optional<h5::File> h5file;
  std::optional<h5::Dataset> ds;
  std::vector<std::uint64_t> shape;
  bool scalar = false;  // rank-0 (or null) dataspace
  bool null_space = false;  // H5S_NULL: no elements at all
  ElementType type;
  h5::Layout layout = h5::Layout::contiguous;
  std::vector<std::uint64_t> chunk_shape;
  std::optional<codec::Pipeline> pipeline;
  std::vector<codec::FilterSpec> filters;
  std::string fallback;  // non-empty: read with H5Dread, for this reason
  std::vector<std::byte> fill;
  bool fill_zero = true;
  util::Fd fd;
  std::uint64_t file_size = 0;
  h5::Address contiguous_offset = h5::kUndefinedAddress;  // contiguous data's file offset; undefined until written
  // Chunk map, built on first use: records plus a sorted index by linear grid position.
  bool mapped = false;
  chunk::ChunkMap map;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_linear;
  std::vector<std::uint64_t> grid;  // chunks per dimension
  std::vector<codec::Workspace> workspaces;

  std::string where() const { return file + "/" + dataset; }

  std::string filter_names() const {
    std::string s;
    for (const auto& f : filters) {
      std::string n = codec::filter_name(f.id);
      if (n.empty()) n = f.name.empty() ? fmt::format("filter {}", f.id) : f.name;
      s += (s.empty() ? "" : "+") + n;
    }
    return s.empty() ? "none" : s;
  }

  void ensure_map() {
    if (mapped) return;
    // The index is read through the descriptor the chunks are read through:
    // the file is opened once by HDF5 (metadata) and once by h5dig.
    const format::FileReader index_file(fd.get(), file_size, file);
    map = chunk::map_chunks(*ds, chunk::MapMethod::automatic, &index_file);
    const std::size_t rank = shape.size();
    grid.resize(rank);
    for (std::size_t d = 0; d < rank; ++d) grid[d] = (shape[d] + chunk_shape[d] - 1) / chunk_shape[d];
    by_linear.clear();
    by_linear.reserve(map.size());
    for (std::size_t i = 0; i < map.size(); ++i) {
      auto off = map.offset(i);
      std::uint64_t linear = 0;
      bool inside = true;
      for (std::size_t d = 0; d < rank; ++d) {
        std::uint64_t g = off[d] / chunk_shape[d];
        if (g >= grid[d]) inside = false;  // beyond the current extent (dataset shrunk)
        linear = linear * grid[d] + g;
      }
      if (inside) by_linear.emplace_back(linear, static_cast<std::uint32_t>(i));
    }
    std::sort(by_linear.begin(), by_linear.end());
    mapped = true;
  }

  // Index into `map` of the chunk at linear grid position, or -1 if unallocated.
  std::int64_t find(std::uint64_t linear) const {
    auto it = std::lower_bound(by_linear.begin(), by_linear.end(), std::make_pair(linear, std::uint32_t{0}));
    if (it == by_linear.end() || it->first != linear) return -1;
    return it->second;
  }

  void note(const ReadOptions& options, const std::string& text) const {
    std::ostream& out = options.notes ? *options.notes : std::cerr;
    out << "h5dig: note: " << where() << ": " << text << "; reading with H5Dread (one thread)\n";
  }

  ReadStats read_chunked(const Selection& sel, std::span<std::byte> out, const ReadOptions& options);
  ReadStats read_contiguous(const Selection& sel, std::span<std::byte> out, const ReadOptions& options,
                            std::uint64_t offset);
  void check_record(const format::ChunkRecord& rec, std::span<const std::uint64_t> origin) const;
};

ParallelReader::ParallelReader(const std::string& file, const std::string& dataset) : impl_(std::make_unique<Impl>()) {
  h5::init();
  Impl& m = *impl_;
  m.file = file;
  m.dataset = dataset;
  m.h5file.emplace(h5::File::open(file));
  try {
    m.ds.emplace(m.h5file->root().open_dataset(dataset.empty() ? "/" : dataset));
  } catch (const Error& e) {
    throw Error(ErrorKind::io, fmt::format("{}: cannot open dataset: {}", m.where(), e.what()));
  }
  const h5::Dataset& ds = *m.ds;
  h5::Datatype stored = ds.type();
  h5::StoredTypeInfo info = h5::describe_stored_type(stored);
  if (!info.fixed_size) {
    throw_unsupported(fmt::format("{}: {} elements have no fixed-size stored bytes; use h5py or h5dump", m.where(),
                                  info.summary));
  }
  m.type = ElementType{info.size, info.npy_descr, info.npy_subshape, info.value_fixes, info.summary};
  h5::Dataspace space = ds.space();
  if (space.kind() != h5::SpaceClass::simple) {
    m.scalar = true;
    m.null_space = space.kind() == h5::SpaceClass::null;
  } else {
    auto dims = space.dims();
    m.shape.assign(dims.begin(), dims.end());
  }
  m.layout = ds.layout();
  m.fill = h5::fill_value_bytes(ds, stored);
  m.fill_zero = std::all_of(m.fill.begin(), m.fill.end(), [](std::byte b) { return b == std::byte{0}; });

  h5::PropList dcpl = ds.create_plist();
  m.filters = h5::read_filter_specs(dcpl);
  if (m.scalar) {
    // one element (or none): H5Dread is the direct way, no note
  } else if (m.layout == h5::Layout::virtual_) {
    m.fallback = "virtual dataset (its data lives in other datasets)";
  } else if (m.layout == h5::Layout::compact) {
    m.fallback = "";  // compact data lives in the object header: H5Dread is the direct way, no note
  } else if (m.layout == h5::Layout::contiguous) {
    if (h5::has_external_storage(ds)) m.fallback = "external raw data files";
    m.contiguous_offset = ds.contiguous_offset();
  } else if (m.layout == h5::Layout::chunked) {
    auto cd = ds.chunk_dims();
    m.chunk_shape.assign(cd.begin(), cd.end());
    try {
      m.pipeline.emplace(m.filters, m.type.size);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::unsupported) throw;
      m.fallback = e.what();
    }
  } else {
    m.fallback = "unknown layout";
  }
  m.fd = util::open_read_only(file);
  m.file_size = util::file_size(m.fd.get(), file);
}

ParallelReader::~ParallelReader() = default;

const std::string& ParallelReader::file() const noexcept { return impl_->file; }
const std::string& ParallelReader::dataset() const noexcept { return impl_->dataset; }
std::string ParallelReader::where() const { return impl_->where(); }
const std::vector<std::uint64_t>& ParallelReader::shape() const noexcept { return impl_->shape; }
const ElementType& ParallelReader::element_type() const noexcept { return impl_->type; }
const std::vector<std::uint64_t>& ParallelReader::chunk_shape() const noexcept { return impl_->chunk_shape; }

std::uint64_t ParallelReader::output_bytes(const Selection& sel) const {
  if (impl_->null_space) return 0;
  return sel.element_count() * impl_->type.size;
}

std::uint64_t ParallelReader::allocated_chunks() {
  if (impl_->layout != h5::Layout::chunked) return 0;
  impl_->ensure_map();
  return impl_->by_linear.size();
}

std::string ParallelReader::describe() const {
  const Impl& m = *impl_;
  std::string layout = m.layout == h5::Layout::chunked      ? fmt::format("chunked {}", join_coords(m.chunk_shape))
                       : m.layout == h5::Layout::contiguous ? "contiguous"
                       : m.layout == h5::Layout::compact    ? "compact"
                       : m.layout == h5::Layout::virtual_    ? "virtual"
                                                    : "other";
  std::string how = !m.fallback.empty() ? "H5Dread: " + m.fallback
                    : m.layout == h5::Layout::chunked || m.layout == h5::Layout::contiguous ? "h5dig"
                                                                            : "H5Dread";
  return fmt::format("{}, {}, filters {}, read by {}", m.type.summary, layout, m.filter_names(), how);
}

void ParallelReader::Impl::check_record(const format::ChunkRecord& rec, std::span<const std::uint64_t> origin) const {
  const std::uint64_t nominal = map.chunk_nbytes();
  auto fail = [&](const std::string& why) {
    throw_corrupt(fmt::format("{}: chunk ({}) filters {}: {}", where(), join_coords(origin), filter_names(), why));
  };
  if (rec.size == 0) fail("stored size is 0");
  if (rec.byte_offset > file_size || rec.size > file_size - rec.byte_offset) {
    fail(fmt::format("stored at bytes {}+{}, past the end of the file ({} bytes)", rec.byte_offset, rec.size,
                     file_size));
  }
  if (!format::plausible_stored_size(rec.size, nominal)) {
    fail(fmt::format("stored size {} is implausible for a {}-byte chunk", rec.size, nominal));
  }
}

ReadStats ParallelReader::Impl::read_chunked(const Selection& sel, std::span<std::byte> out,
                                             const ReadOptions& options) {
  ensure_map();
  const std::size_t rank = shape.size();
  const std::size_t esize = type.size;
  const std::uint64_t nominal = map.chunk_nbytes();
  const std::size_t threads = exec::resolved_threads(options.threads);
  if (workspaces.size() < threads) workspaces.resize(threads);
  std::vector<Buffer> scratch(threads);

  // Per dimension, the chunk grid positions holding a selected element (with a
  // step larger than the chunk, some in between hold none); walked in C order.
  std::vector<std::vector<std::uint64_t>> touched(rank);
  for (std::size_t d = 0; d < rank && sel.count[d] > 0; ++d) {
    const std::uint64_t step = sel.step_of(d), c = chunk_shape[d];
    for (std::uint64_t i = 0; i < sel.count[d];) {
      const std::uint64_t pos = (sel.start[d] + i * step) / c;
      touched[d].push_back(pos);
      // the first selected index in the next chunk
      const std::uint64_t next = (pos + 1) * c;
      i = (next - sel.start[d] + step - 1) / step;
    }
  }
  std::vector<std::size_t> at(rank, 0);
  auto grid_pos = [&](std::size_t d) { return touched[d][at[d]]; };
  bool done = sel.element_count() == 0;

  struct Item {
    std::vector<std::uint64_t> origin;  // element coordinates of the chunk
    std::int64_t record = -1;           // index into map, -1 unallocated
    bool direct = false;                // whole chunk lands contiguously in `out`
    bool finished = false;              // already in `out` (pread straight into it)
    std::uint64_t dst_offset = 0;       // for direct
    std::uint32_t mask = 0;             // filter mask of the stored bytes
    Buffer raw;
  };

  std::atomic<std::uint64_t> stored_bytes{0}, chunks{0}, filled{0};
  const std::vector<std::uint64_t>& out_shape = sel.count;

  // Whether the part of the chunk at `origin` that `sel` selects is at most
  // half the chunk, in runs of at least 16 KiB (then a pread per run beats
  // reading the whole chunk and copying the runs out).
  auto selected_runs_are_large = [&](std::span<const std::uint64_t> origin) {
    Region r = intersect(origin, chunk_shape, sel);
    RunPlan p = plan_runs(r, chunk_shape, out_shape, esize);
    return p.contiguous() && p.run_bytes >= (16u << 10) && 2 * r.elements() * esize <= nominal;
  };

  auto source = [&](Item& item) -> bool {
    if (done) return false;
    item.origin.resize(rank);
    std::uint64_t linear = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      item.origin[d] = grid_pos(d) * chunk_shape[d];
      linear = linear * grid[d] + grid_pos(d);
    }
    // advance the odometer
    for (std::size_t d = rank; d-- > 0;) {
      if (++at[d] < touched[d].size()) break;
      at[d] = 0;
      if (d == 0) done = true;
    }
    item.record = find(linear);
    item.finished = false;
    item.direct = false;
    if (item.record < 0) return true;

    // Does the whole chunk land as one contiguous run of the output?
    Region r = intersect(item.origin, chunk_shape, sel);
    bool whole = true;
    for (std::size_t d = 0; d < rank; ++d) whole = whole && r.extent[d] == chunk_shape[d];
    if (whole) {
      RunPlan p = plan_runs(r, chunk_shape, out_shape, esize);
      bool contiguous = p.contiguous() && p.run_bytes == nominal;
      if (contiguous) {
        item.direct = true;
        item.dst_offset = p.dst0;
      }
    }
    const format::ChunkRecord& rec = map.record(static_cast<std::size_t>(item.record));
    const bool unfiltered = pipeline->empty();
    if (options.raw_source == RawSource::hdf5) {
      std::vector<h5::Size> off(item.origin.begin(), item.origin.end());
      std::uint32_t mask = 0;
      std::vector<std::byte> bytes;
      ds->read_chunk(off, mask, bytes);
      item.mask = mask;
      auto span = item.raw.resize(bytes.size());
      std::memcpy(span.data(), bytes.data(), bytes.size());
      stored_bytes += bytes.size();
      return true;
    }
    check_record(rec, item.origin);
    item.mask = rec.filter_mask;
    if (unfiltered && item.direct && rec.size == nominal) {
      // Nothing to decode: the stored bytes are the output bytes.
      if (!pread_full(fd.get(), out.data() + item.dst_offset, nominal, rec.byte_offset, where())) {
        throw_corrupt(fmt::format("{}: chunk ({}): file ends inside the chunk", where(), join_coords(item.origin)));
      }
      item.finished = true;
    } else if (unfiltered && rec.size == nominal && selected_runs_are_large(item.origin)) {
      // Part of a raw chunk, in long runs: pread just those runs, so a read
      // that cuts across chunks (a repack into other chunks) costs its share
      // of each chunk, not the whole chunk.
      Region r = intersect(item.origin, chunk_shape, sel);
      RunPlan p = plan_runs(r, chunk_shape, out_shape, esize);
      for_each_run(r, p, [&](std::uint64_t src, std::uint64_t dst) {
        if (!pread_full(fd.get(), out.data() + dst, p.run_bytes, rec.byte_offset + src, where())) {
          throw_corrupt(fmt::format("{}: chunk ({}): file ends inside the chunk", where(), join_coords(item.origin)));
        }
      });
      item.finished = true;
    } else {
      auto span = item.raw.resize(rec.size);
      if (!pread_full(fd.get(), span.data(), span.size(), rec.byte_offset, where())) {
        throw_corrupt(fmt::format("{}: chunk ({}): file ends inside the chunk", where(), join_coords(item.origin)));
      }
    }
    stored_bytes += rec.size;
    return true;
  };

  auto transform = [&](Item& item, std::size_t worker) {
    Region r = intersect(item.origin, chunk_shape, sel);
    const std::uint64_t region_bytes = r.elements() * esize;
    if (item.record < 0) {
      RunPlan p = plan_runs(r, chunk_shape, out_shape, esize);
      for_each_run(r, p, [&](std::uint64_t, std::uint64_t dst) {
        fill_pattern(out.data() + dst, p.run_bytes, fill, fill_zero);
      });
      ++filled;
      if (options.progress) options.progress->advance(region_bytes);
      return;
    }
    ++chunks;
    if (!item.finished) {
      std::span<const std::byte> stored = item.raw.span();
      std::span<std::byte> target = item.direct ? out.subspan(item.dst_offset, nominal) : scratch[worker].resize(nominal);
      try {
        if (pipeline->empty()) {
          if (stored.size() != nominal) {
            throw_corrupt(fmt::format("stored size {} differs from the chunk size {} and there are no filters",
                                      stored.size(), nominal));
          }
          if (item.direct) {
            std::memcpy(target.data(), stored.data(), nominal);
          } else {
            target = item.raw.span();
          }
        } else {
          pipeline->decode(stored, target, item.mask, workspaces[worker]);
        }
      } catch (const Error& e) {
        throw Error(e.kind() == ErrorKind::io ? ErrorKind::io : ErrorKind::corrupt,
                    fmt::format("{}: chunk ({}) filters {}: {}", where(), join_coords(item.origin), filter_names(),
                                e.what()));
      }
      if (!item.direct) {
        RunPlan p = plan_runs(r, chunk_shape, out_shape, esize);
        const std::byte* src = target.data();
        for_each_run(r, p, [&](std::uint64_t s, std::uint64_t dst) { copy_run(out.data() + dst, src + s, p); });
      }
    }
    if (options.progress) options.progress->advance(region_bytes);
  };

  ReadStats stats;
  exec::run_pipeline<Item>({.threads = threads, .tokens_per_thread = 2}, source, transform);
  stats.stored_bytes = stored_bytes;
  stats.chunks = chunks;
  stats.chunks_filled = filled;
  stats.threads = threads;
  stats.method = options.raw_source == RawSource::hdf5 ? "chunked (H5Dread_chunk)" : "chunked (pread)";
  return stats;
}

ReadStats ParallelReader::Impl::read_contiguous(const Selection& sel, std::span<std::byte> out,
                                                const ReadOptions& options, std::uint64_t base) {
  const std::size_t rank = shape.size();
  const std::size_t esize = type.size;
  // The dataset is one C-order block: the same run plan as a chunk the size of
  // the whole dataset.
  Region r = intersect(std::vector<std::uint64_t>(rank, 0), shape, sel);
  RunPlan p = plan_runs(r, shape, sel.count, esize);
  std::uint64_t dataset_bytes = esize;
  for (auto s : shape) dataset_bytes *= s;
  if (base > file_size || dataset_bytes > file_size - base) {
    throw_corrupt(fmt::format("{}: contiguous data at bytes {}+{} runs past the end of the file ({} bytes)", where(),
                              base, dataset_bytes, file_size));
  }
  // Runs, split into pieces spanning at most 8 MiB of the file so that threads
  // share a big run. A stepped run's piece is read as its bounding span into a
  // per-thread buffer and gathered; a step wider than a piece reads elements
  // one by one (each one its own piece).
  constexpr std::uint64_t kPiece = 8u << 20;
  struct Piece {
    std::uint64_t src, dst, elements;
  };
  const std::uint64_t piece_elements =
      p.contiguous() ? std::max<std::uint64_t>(1, kPiece / esize) : std::max<std::uint64_t>(1, kPiece / p.run_src_step);
  std::vector<Piece> pieces;
  for_each_run(r, p, [&](std::uint64_t s, std::uint64_t d) {
    for (std::uint64_t e = 0; e < p.run_elements; e += piece_elements) {
      pieces.push_back({s + e * p.run_src_step, d + e * esize, std::min(piece_elements, p.run_elements - e)});
    }
  });
  const std::size_t threads = exec::resolved_threads(options.threads);
  std::vector<Buffer> scratch(threads);
  // pread only; no HDF5 in the workers. Small pieces are grouped per task.
  const std::uint64_t piece_bytes = std::min(p.run_elements, piece_elements) * esize;
  const std::size_t per_task = std::max<std::size_t>(1, (1u << 20) / std::max<std::uint64_t>(1, piece_bytes));
  const std::size_t tasks = (pieces.size() + per_task - 1) / per_task;
  exec::parallel_for_index({.threads = threads}, tasks, [&](std::size_t t, std::size_t worker) {
    std::uint64_t bytes = 0;
    for (std::size_t i = t * per_task; i < std::min(pieces.size(), (t + 1) * per_task); ++i) {
      const Piece& pc = pieces[i];
      const std::uint64_t n = pc.elements * esize;
      bool ok = true;
      if (p.contiguous()) {
        ok = pread_full(fd.get(), out.data() + pc.dst, n, base + pc.src, where());
      } else {
        RunPlan piece = p;
        piece.run_elements = pc.elements;
        piece.run_bytes = n;
        auto span = scratch[worker].resize(piece.run_src_span());
        ok = pread_full(fd.get(), span.data(), span.size(), base + pc.src, where());
        if (ok) copy_run(out.data() + pc.dst, span.data(), piece);
      }
      if (!ok) throw_corrupt(fmt::format("{}: file ends inside the contiguous data", where()));
      bytes += n;
    }
    if (options.progress) options.progress->advance(bytes);
  });
  ReadStats stats;
  stats.stored_bytes = out.size();
  stats.threads = threads;
  stats.method = "contiguous (pread)";
  return stats;
}

ReadStats ParallelReader::read(const Selection& sel, std::span<std::byte> out, const ReadOptions& options) {
  Impl& m = *impl_;
  const auto t0 = Clock::now();
  if (!m.scalar) check_selection(sel, m.shape);
  const std::uint64_t want = m.scalar ? (m.null_space ? 0 : m.type.size) : output_bytes(sel);
  if (out.size() != want) {
    throw_usage(fmt::format("{}: output buffer holds {} bytes, the selection needs {}", m.where(), out.size(), want));
  }
  ReadStats stats;
  if (m.layout == h5::Layout::chunked && !m.scalar && m.fallback.empty()) {
    stats = m.read_chunked(sel, out, options);
  } else if (m.layout == h5::Layout::contiguous && !m.scalar && m.fallback.empty() && m.contiguous_offset != h5::kUndefinedAddress) {
    stats = m.read_contiguous(sel, out, options, m.contiguous_offset);
  } else {
    if (!m.fallback.empty()) m.note(options, m.fallback);
    // Compact data, never-written contiguous data (HDF5 supplies the fill
    // value), and everything in fallback.
    if (want > 0) h5::read_stored(*m.ds, sel.start, sel.count, out.data(), sel.step);
    if (options.progress) options.progress->advance(want);
    stats.method = m.fallback.empty() ? "H5Dread" : "H5Dread (fallback)";
    stats.stored_bytes = want;
  }
  stats.bytes = want;
  stats.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return stats;
}

bool ParallelReader::read_enters_hdf5(const ReadOptions& options) const {
  const Impl& m = *impl_;
  if (m.scalar || !m.fallback.empty()) return true;
  if (m.layout == h5::Layout::chunked) return !m.mapped || options.raw_source == RawSource::hdf5;
  return !(m.layout == h5::Layout::contiguous && m.contiguous_offset != h5::kUndefinedAddress);
}

void ParallelReader::read_hdf5(const Selection& sel, std::span<std::byte> out) {
  Impl& m = *impl_;
  if (!m.scalar) check_selection(sel, m.shape);
  const std::uint64_t want = m.scalar ? (m.null_space ? 0 : m.type.size) : output_bytes(sel);
  if (out.size() != want) {
    throw_usage(fmt::format("{}: output buffer holds {} bytes, the selection needs {}", m.where(), out.size(), want));
  }
  if (want > 0) h5::read_stored(*m.ds, sel.start, sel.count, out.data(), sel.step);
}

std::uint64_t ParallelReader::kernel_output_bytes() {
  Impl& m = *impl_;
  if (m.layout != h5::Layout::chunked) return 0;
  m.ensure_map();
  return m.by_linear.size() * m.map.chunk_nbytes();
}

KernelStats ParallelReader::decode_kernel(std::size_t threads, std::span<std::byte> out) {
  Impl& m = *impl_;
  if (m.layout != h5::Layout::chunked || !m.fallback.empty()) {
    throw_usage(fmt::format("{}: the decode kernel needs a chunked dataset with filters h5dig decodes ({})", m.where(),
                            describe()));
  }
  m.ensure_map();
  if (!out.empty() && out.size() != kernel_output_bytes()) {
    throw_usage(fmt::format("{}: decode kernel output holds {} bytes, needs {}", m.where(), out.size(),
                            kernel_output_bytes()));
  }
  threads = exec::resolved_threads(threads);
  const std::uint64_t nominal = m.map.chunk_nbytes();
  KernelStats k;
  // Pre-read every allocated chunk (not timed).
  std::vector<std::uint64_t> starts;
  std::vector<std::uint32_t> ids;
  for (const auto& [linear, id] : m.by_linear) {
    const auto& rec = m.map.record(id);
    m.check_record(rec, m.map.offset(id));
    ids.push_back(id);
    starts.push_back(k.stored_bytes);
    k.stored_bytes += rec.size;
  }
  std::vector<std::byte> all(k.stored_bytes);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& rec = m.map.record(ids[i]);
    if (!pread_full(m.fd.get(), all.data() + starts[i], rec.size, rec.byte_offset, m.where())) {
      throw_corrupt(fmt::format("{}: file ends inside chunk ({})", m.where(), join_coords(m.map.offset(ids[i]))));
    }
  }
  if (m.workspaces.size() < threads) m.workspaces.resize(threads);
  std::vector<Buffer> scratch(out.empty() ? threads : 0);
  for (auto& s : scratch) s.resize(nominal);
  const auto t0 = Clock::now();
  exec::parallel_for_index({.threads = threads}, ids.size(), [&](std::size_t i, std::size_t w) {
    const auto& rec = m.map.record(ids[i]);
    std::span<const std::byte> stored(all.data() + starts[i], rec.size);
    std::span<std::byte> target = out.empty() ? scratch[w].span() : out.subspan(i * nominal, nominal);
    if (m.pipeline->empty()) {
      std::memcpy(target.data(), stored.data(), std::min<std::uint64_t>(rec.size, nominal));
    } else {
      m.pipeline->decode(stored, target, rec.filter_mask, m.workspaces[w]);
    }
  });
  k.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  k.chunks = ids.size();
  k.decoded_bytes = ids.size() * nominal;
  return k;
}

}  // namespace h5dig::io

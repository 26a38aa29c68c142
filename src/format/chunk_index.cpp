#include "h5dig/format/chunk_index.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "decode.hpp"
#include "index_walkers.hpp"
#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::format {

using detail::Cursor;
using detail::kUndefinedAddress;

namespace detail {

WalkContext::WalkContext(const FileReader& f, const Superblock& s, const DatasetHeader& h, const ChunkVisitor& v)
    : file(f), sb(s), header(h), visit(v), rank(h.dims.size()), offset(h.dims.size()) {
  const auto& chunk = h.layout.chunk_dims;
  grid.resize(rank);
  max_grid.resize(rank);
  grid_count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    // ceil without overflow: dims may be anything in a damaged file.
    grid[d] = h.dims[d] / chunk[d] + (h.dims[d] % chunk[d] != 0);
    std::uint64_t m = h.maxdims[d] == ~std::uint64_t{0} ? ~std::uint64_t{0}
                                                        : h.maxdims[d] / chunk[d] + (h.maxdims[d] % chunk[d] != 0);
    max_grid[d] = std::max(m, grid[d]);
    grid_count = grid[d] != 0 && grid_count > ~std::uint64_t{0} / grid[d] ? ~std::uint64_t{0} : grid_count * grid[d];
  }
  chunk_nbytes = h.layout.chunk_nbytes();
}

void WalkContext::emit(std::uint64_t rel_address, std::uint64_t size, std::uint32_t mask, std::string_view where,
                       std::uint64_t where_address) {
  util::heartbeat();
  if (++count > grid_count)
    fail_at(file, where, where_address,
            fmt::format("index holds more chunks than the dataset's extent ({} chunks)", grid_count));
  for (std::size_t d = 0; d < rank; ++d) {
    if (offset[d] >= header.dims[d] || offset[d] % header.layout.chunk_dims[d] != 0)
      fail_at(file, where, where_address,
              fmt::format("chunk offset {} is outside the dataset's extent or not on the chunk grid",
                          fmt::join(offset, ",")));
  }
  if (rel_address == kUndefinedAddress)
    fail_at(file, where, where_address, fmt::format("undefined address for chunk [{}]", fmt::join(offset, ",")));
  std::uint64_t abs = sb.absolute(rel_address);
  if (abs > file.size() || size > file.size() - abs)
    fail_at(file, where, where_address,
            fmt::format("chunk [{}] at address {} size {} extends past the end of the file ({} bytes)",
                        fmt::join(offset, ","), abs, size, file.size()));
  visit(offset, ChunkRecord{abs, size, mask});
}

void WalkContext::set_offset_from_linear(std::uint64_t index, std::span<const std::uint64_t> extents,
                                         std::span<const std::size_t> order) {
  // order[k] is the dataset dimension held in position k (slowest first).
  for (std::size_t k = rank; k-- > 0;) {
    std::size_t d = order[k];
    std::uint64_t e = extents[k];
    offset[d] = (index % e) * header.layout.chunk_dims[d];
    index /= e;
  }
}

}  // namespace detail

namespace {

// ---------------------------------------------------------------- v1 B-tree
// "TREE", type 1 (raw data chunks), level, entries used, siblings; then
// key, child, key, ..., key. Key: chunk size (4), filter mask (4), rank+1
// offsets of 8 bytes (the last is the element-size dimension, always 0).
void walk_btree1(detail::WalkContext& ctx) {
  const auto& file = ctx.file;
  const unsigned O = ctx.sb.sizeof_addr;
  const std::size_t key_size = 8 + 8 * (ctx.rank + 1);
  const std::size_t prefix = 8 + 2 * std::size_t{O};
  constexpr unsigned kMaxLevel = 64;

  struct Frame {
    std::uint64_t address;
    int level;  // expected; -1 for the root
  };
  std::vector<Frame> stack{{ctx.header.layout.index_address, -1}};
  std::unordered_set<std::uint64_t> visited;
  std::vector<std::byte> buf;
  std::vector<std::uint64_t> children;
  // Most chunk B-trees have K = 32 (64 entries a node): read that much at once.
  constexpr std::size_t kGuessEntries = 64;

  while (!stack.empty()) {
    Frame fr = stack.back();
    stack.pop_back();
    if (fr.address == kUndefinedAddress) detail::fail_at(file, "v1 B-tree node", fr.address, "undefined child address");
    if (!visited.insert(fr.address).second)
      detail::fail_at(file, "v1 B-tree node", fr.address, "node reached twice (cycle or shared subtree)");
    const std::uint64_t abs = ctx.sb.absolute(fr.address);
    if (abs >= file.size())
      detail::fail_at(file, "v1 B-tree node", fr.address, fmt::format("address past the end of the file ({} bytes)", file.size()));
    std::size_t want = prefix + (kGuessEntries + 1) * key_size + kGuessEntries * O;
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, file.size() - abs));
    detail::read_block(file, abs, want, "v1 B-tree node", buf);
    Cursor c(buf, "v1 B-tree node", fr.address, file);
    c.expect_signature("TREE");
    unsigned type = c.u8();
    if (type != 1) c.fail(fmt::format("node type {} (expected 1, raw data chunks)", type));
    unsigned level = c.u8();
    unsigned entries = c.u16();
    if (level > kMaxLevel) c.fail(fmt::format("level {} is implausible", level));
    if (fr.level >= 0 && level != static_cast<unsigned>(fr.level))
      c.fail(fmt::format("level {} where {} was expected (node points back up the tree)", level, fr.level));
    std::size_t need = prefix + (std::size_t{entries} + 1) * key_size + std::size_t{entries} * O;
    if (need > buf.size()) {
      detail::read_block(file, abs, need, "v1 B-tree node", buf);
      c = Cursor(buf, "v1 B-tree node", fr.address, file);
    }
    c.seek(prefix);
    if (level == 0) {
      for (unsigned i = 0; i < entries; ++i) {
        std::uint32_t size = c.u32();
        std::uint32_t mask = c.u32();
        for (std::size_t d = 0; d < ctx.rank; ++d) ctx.offset[d] = c.u64();
        c.skip(8);
        std::uint64_t child = c.addr(O);
        ctx.emit(child, size, mask, "v1 B-tree node", fr.address);
      }
    } else {
      children.clear();
      for (unsigned i = 0; i < entries; ++i) {
        c.skip(key_size);
        children.push_back(c.addr(O));
      }
      for (auto it = children.rbegin(); it != children.rend(); ++it)
        stack.push_back({*it, static_cast<int>(level) - 1});
    }
  }
}

// ---------------------------------------------------------------- single chunk
void walk_single(detail::WalkContext& ctx) {
  const auto& L = ctx.header.layout;
  std::fill(ctx.offset.begin(), ctx.offset.end(), 0);
  bool filtered = (L.flags & 0x2) != 0;
  ctx.emit(L.index_address, filtered ? L.single_size : ctx.chunk_nbytes, filtered ? L.single_filter_mask : 0,
           "single-chunk index", L.index_address);
}

// ---------------------------------------------------------------- implicit
// Chunks sit back to back from the index address, in C order of the chunk grid
// of the maximum dimensions (H5Dnone.c uses max_down_chunks); every chunk of
// the current extent is allocated.
void walk_implicit(detail::WalkContext& ctx) {
  const auto& L = ctx.header.layout;
  std::vector<std::uint64_t> scaled(ctx.rank, 0);
  if (ctx.grid_count == 0) return;
  for (auto g : ctx.max_grid)
    if (g == ~std::uint64_t{0}) detail::fail_at(ctx.file, "implicit chunk index", L.index_address, "unlimited dimension");
  // Every chunk of the extent is stored: they must all fit in the file, which
  // bounds the walk by the file's size (a damaged extent cannot make it spin).
  const std::uint64_t abs = ctx.sb.absolute(L.index_address);
  if (ctx.chunk_nbytes == 0 || abs > ctx.file.size() ||
      ctx.grid_count > (ctx.file.size() - abs) / ctx.chunk_nbytes)
    detail::fail_at(ctx.file, "implicit chunk index", L.index_address,
                    fmt::format("{} chunks of {} bytes do not fit in the file ({} bytes)", ctx.grid_count,
                                ctx.chunk_nbytes, ctx.file.size()));
  for (;;) {
    std::uint64_t linear = 0;
    for (std::size_t d = 0; d < ctx.rank; ++d) {
      linear = linear * ctx.max_grid[d] + scaled[d];
      ctx.offset[d] = scaled[d] * L.chunk_dims[d];
    }
    ctx.emit(L.index_address + linear * ctx.chunk_nbytes, ctx.chunk_nbytes, 0, "implicit chunk index", L.index_address);
    std::size_t d = ctx.rank;
    while (d > 0) {
      --d;
      if (++scaled[d] < ctx.grid[d]) break;
      scaled[d] = 0;
      if (d == 0) return;
    }
    if (ctx.rank == 0) return;
  }
}

}  // namespace

bool index_supported(const DatasetHeader& header) noexcept {
  if (header.layout.layout_class != LayoutClass::chunked) return false;
  switch (header.layout.index) {
    case ChunkIndexKind::btree1:
    case ChunkIndexKind::single:
    case ChunkIndexKind::implicit:
    case ChunkIndexKind::farray:
    case ChunkIndexKind::earray:
    case ChunkIndexKind::btree2: return detail::walker_available(header.layout.index);
  }
  return false;
}

void walk_chunk_index(const FileReader& file, const Superblock& sb, const DatasetHeader& header,
                      const ChunkVisitor& visit) {
  if (header.layout.layout_class != LayoutClass::chunked)
    throw_usage(fmt::format("{}: dataset at object header {} is not chunked", file.name(), header.address));
  detail::WalkContext ctx(file, sb, header, visit);
  if (header.layout.index_address == kUndefinedAddress) return;  // no chunk written yet
  switch (header.layout.index) {
    case ChunkIndexKind::btree1: walk_btree1(ctx); break;
    case ChunkIndexKind::single: walk_single(ctx); break;
    case ChunkIndexKind::implicit: walk_implicit(ctx); break;
    case ChunkIndexKind::farray: detail::walk_farray(ctx); break;
    case ChunkIndexKind::earray: detail::walk_earray(ctx); break;
    case ChunkIndexKind::btree2: detail::walk_btree2(ctx); break;
  }
}

}  // namespace h5dig::format

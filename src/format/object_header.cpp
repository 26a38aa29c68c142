#include "h5dig/format/object_header.hpp"

#include <array>
#include <cstring>
#include <unordered_set>

#include "decode.hpp"

namespace h5dig::format {

using detail::Cursor;
using detail::kUndefinedAddress;

const char* index_kind_name(ChunkIndexKind kind) noexcept {
  switch (kind) {
    case ChunkIndexKind::btree1: return "btree1";
    case ChunkIndexKind::single: return "single";
    case ChunkIndexKind::implicit: return "implicit";
    case ChunkIndexKind::farray: return "farray";
    case ChunkIndexKind::earray: return "earray";
    case ChunkIndexKind::btree2: return "btree2";
  }
  return "unknown";
}

std::uint64_t DataLayout::chunk_nbytes() const noexcept {
  std::uint64_t n = element_size;
  for (auto d : chunk_dims) n *= d;
  return n;
}

namespace {

constexpr unsigned kMsgDataspace = 0x0001;
constexpr unsigned kMsgLayout = 0x0008;
constexpr unsigned kMsgPipeline = 0x000B;
constexpr unsigned kMsgContinuation = 0x0010;
constexpr unsigned kMsgFlagShared = 0x02;
constexpr unsigned kMaxRank = 32;  // H5S_MAX_RANK
// An object header never needs more blocks than this; more means a loop.
constexpr std::size_t kMaxHeaderBlocks = 4096;
// A single header block larger than this is a lying length (HDF5 caps a chunk
// of object header at 4 GiB, real ones are kilobytes).
constexpr std::uint64_t kMaxHeaderBlockSize = 64ull << 20;

struct Parser {
  const FileReader& file;
  const Superblock& sb;
  DatasetHeader& out;
  bool have_space = false;

  void dataspace(Cursor& c) {
    unsigned version = c.u8();
    if (version < 1 || version > 2) c.fail(fmt::format("dataspace message version {}", version));
    unsigned rank = c.u8();
    unsigned flags = c.u8();
    if (rank > kMaxRank) c.fail(fmt::format("dataspace rank {} exceeds {}", rank, kMaxRank));
    if (version == 1) c.skip(5);
    else c.skip(1);  // dataspace type
    out.dims.resize(rank);
    for (auto& d : out.dims) d = c.uint(sb.sizeof_size);
    out.maxdims = out.dims;
    if (flags & 1)
      for (auto& d : out.maxdims) {
        d = c.uint(sb.sizeof_size);
        if (sb.sizeof_size < 8 && d == (std::uint64_t{1} << (8 * sb.sizeof_size)) - 1) d = ~std::uint64_t{0};
      }
    have_space = true;
  }

  void pipeline(Cursor& c) {
    unsigned version = c.u8();
    if (version < 1 || version > 2) c.fail(fmt::format("filter pipeline message version {}", version));
    unsigned n = c.u8();
    if (n > 32) c.fail(fmt::format("{} filters (at most 32)", n));  // H5Z_MAX_NFILTERS
    if (version == 1) c.skip(6);
    out.filters.clear();
    for (unsigned i = 0; i < n; ++i) {
      FilterEntry f;
      f.id = c.u16();
      unsigned name_len = (version == 1 || f.id >= 256) ? c.u16() : 0;
      f.flags = c.u16();
      unsigned ncd = c.u16();
      if (name_len > 0) {
        auto raw = c.take(name_len);
        const char* s = reinterpret_cast<const char*>(raw.data());
        f.name.assign(s, strnlen(s, raw.size()));
      }
      f.cd_values.resize(ncd);
      for (auto& v : f.cd_values) v = c.u32();
      if (version == 1 && (ncd % 2) == 1) c.skip(4);
      out.filters.push_back(std::move(f));
    }
  }

  void layout(Cursor& c) {
    DataLayout& L = out.layout;
    L.version = c.u8();
    if (L.version < 3 || L.version > 4)
      throw_unsupported(fmt::format("{}: data layout message version {} at object header {} is not decoded",
                                    file.name(), L.version, out.address));
    unsigned cls = c.u8();
    if (cls > 3) c.fail(fmt::format("layout class {}", cls));
    L.layout_class = static_cast<LayoutClass>(cls);
    out.has_layout = true;
    if (L.layout_class != LayoutClass::chunked) return;
    unsigned ndims = 0;
    std::vector<std::uint64_t> dims;
    if (L.version == 3) {
      ndims = c.u8();
      if (ndims < 2 || ndims > kMaxRank + 1) c.fail(fmt::format("chunk dimensionality {}", ndims));
      L.index_address = c.addr(sb.sizeof_addr);
      dims.resize(ndims);
      for (auto& d : dims) d = c.u32();
      L.index = ChunkIndexKind::btree1;
    } else {
      L.flags = c.u8();
      if (L.flags & ~0x3u) c.fail(fmt::format("layout flags {:#x}", L.flags));
      ndims = c.u8();
      if (ndims < 2 || ndims > kMaxRank + 1) c.fail(fmt::format("chunk dimensionality {}", ndims));
      unsigned enc = c.u8();
      if (enc == 0 || enc > 8) c.fail(fmt::format("encoded chunk dimension size {}", enc));
      dims.resize(ndims);
      for (auto& d : dims) d = c.uint(enc);
      unsigned idx = c.u8();
      switch (idx) {
        case 1:
          L.index = ChunkIndexKind::single;
          if (L.flags & 0x2) {
            L.single_size = c.uint(sb.sizeof_size);
            L.single_filter_mask = c.u32();
          }
          break;
        case 2: L.index = ChunkIndexKind::implicit; break;
        case 3:
          L.index = ChunkIndexKind::farray;
          L.farray_page_bits = c.u8();
          if (L.farray_page_bits == 0 || L.farray_page_bits > 32) c.fail("fixed array page bits out of range");
          break;
        case 4:
          L.index = ChunkIndexKind::earray;
          L.earray_max_nelmts_bits = c.u8();
          L.earray_idx_blk_elmts = c.u8();
          L.earray_sup_blk_min_data_ptrs = c.u8();
          L.earray_data_blk_min_elmts = c.u8();
          L.earray_page_bits = c.u8();
          break;
        case 5:
          L.index = ChunkIndexKind::btree2;
          L.btree2_node_size = c.u32();
          c.skip(2);  // split and merge percent
          break;
        default: c.fail(fmt::format("chunk index type {}", idx));
      }
      L.index_address = c.addr(sb.sizeof_addr);
    }
    for (auto d : dims)
      if (d == 0) c.fail("chunk dimension of 0");
    L.element_size = dims.back();
    dims.pop_back();
    L.chunk_dims = std::move(dims);
  }

  // Walks the messages of one header block; returns continuation blocks found.
  void messages(Cursor& c, unsigned oh_version, bool creation_order,
                std::vector<std::pair<std::uint64_t, std::uint64_t>>& continuations) {
    const std::size_t header_size = oh_version == 1 ? 8 : (creation_order ? 6 : 4);
    while (c.remaining() >= header_size) {
      unsigned type, size, flags;
      if (oh_version == 1) {
        type = c.u16();
        size = c.u16();
        flags = c.u8();
        c.skip(3);
      } else {
        type = c.u8();
        size = c.u16();
        flags = c.u8();
        if (creation_order) c.skip(2);
      }
      std::size_t start = c.pos();
      auto data = c.take(size);
      Cursor m(data, "object header message", out.address, file);
      bool shared = (flags & kMsgFlagShared) != 0;
      switch (type) {
        case kMsgDataspace:
          if (shared) throw_unsupported(fmt::format("{}: shared dataspace message in object header {}", file.name(), out.address));
          dataspace(m);
          break;
        case kMsgLayout: layout(m); break;
        case kMsgPipeline:
          if (shared) throw_unsupported(fmt::format("{}: shared filter pipeline message in object header {}", file.name(), out.address));
          pipeline(m);
          break;
        case kMsgContinuation: {
          std::uint64_t a = m.addr(sb.sizeof_addr);
          std::uint64_t len = m.uint(sb.sizeof_size);
          continuations.emplace_back(a, len);
          break;
        }
        default: break;
      }
      (void)start;
      // Version-1 messages are aligned to 8 bytes (sizes already are).
    }
  }

  void run(std::uint64_t address) {
    out.address = address;
    std::vector<std::byte> buf;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> pending;
    std::unordered_set<std::uint64_t> seen;
    const std::uint64_t abs = sb.absolute(address);
    // Prefix: 16 bytes for v1; for v2 at most 4+1+1+16+4+8 = 34.
    std::array<std::byte, 40> prefix{};
    std::size_t avail = static_cast<std::size_t>(std::min<std::uint64_t>(prefix.size(), abs < file.size() ? file.size() - abs : 0));
    std::span<std::byte> whole_prefix(prefix);
    file.read(abs, whole_prefix.first(std::max<std::size_t>(avail, 16)), "object header");
    Cursor p(whole_prefix.first(avail), "object header", address, file);
    bool creation_order = false;
    if (static_cast<unsigned char>(prefix[0]) == 1) {
      out.version = 1;
      p.skip(1 + 1);
      p.u16();  // message count
      p.u32();  // reference count
      std::uint64_t size = p.u32();
      if (size > kMaxHeaderBlockSize) p.fail(fmt::format("header size {} is implausible", size));
      // v1 prefix is 12 bytes padded to 16.
      auto block = detail::read_block(file, sb.absolute(address + 16), static_cast<std::size_t>(size), "object header", buf);
      Cursor c(block, "object header", address, file);
      messages(c, 1, false, pending);
    } else {
      p.expect_signature("OHDR");
      out.version = p.u8();
      if (out.version != 2) p.fail(fmt::format("object header version {}", out.version));
      unsigned flags = p.u8();
      creation_order = (flags & 0x04) != 0;
      if (flags & 0x20) p.skip(16);
      if (flags & 0x10) p.skip(4);
      std::uint64_t size = p.uint(std::size_t{1} << (flags & 3));
      if (size > kMaxHeaderBlockSize) p.fail(fmt::format("chunk #0 size {} is implausible", size));
      std::size_t total = p.pos() + static_cast<std::size_t>(size) + 4;
      auto block = detail::read_block(file, abs, total, "object header", buf);
      Cursor whole(block, "object header", address, file);
      whole.seek(total - 4);
      whole.verify_checksum();
      Cursor c(block.subspan(p.pos(), static_cast<std::size_t>(size)), "object header", address, file);
      messages(c, 2, creation_order, pending);
    }
    seen.insert(address);
    std::size_t blocks = 1;
    while (!pending.empty()) {
      auto [a, len] = pending.back();
      pending.pop_back();
      if (a == kUndefinedAddress) detail::fail_at(file, "object header continuation", out.address, "undefined address");
      if (!seen.insert(a).second)
        detail::fail_at(file, "object header continuation", a, "continuation loop (block already read)");
      if (++blocks > kMaxHeaderBlocks) detail::fail_at(file, "object header", out.address, "too many continuation blocks");
      if (len > kMaxHeaderBlockSize) detail::fail_at(file, "object header continuation", a, fmt::format("length {} is implausible", len));
      auto block = detail::read_block(file, sb.absolute(a), static_cast<std::size_t>(len), "object header continuation", buf);
      if (out.version == 1) {
        Cursor c(block, "object header continuation", a, file);
        messages(c, 1, false, pending);
      } else {
        Cursor whole(block, "object header continuation block", a, file);
        whole.expect_signature("OCHK");
        if (block.size() < 8) whole.fail("too short");
        whole.seek(block.size() - 4);
        whole.verify_checksum();
        Cursor c(block.subspan(4, block.size() - 8), "object header continuation block", a, file);
        messages(c, 2, creation_order, pending);
      }
    }
    if (!have_space) detail::fail_at(file, "object header", address, "no dataspace message (not a dataset?)");
    if (!out.has_layout) detail::fail_at(file, "object header", address, "no data layout message (not a dataset?)");
    if (out.layout.layout_class == LayoutClass::chunked && out.layout.chunk_dims.size() != out.dims.size())
      detail::fail_at(file, "data layout message", address,
                      fmt::format("chunk rank {} differs from dataspace rank {}", out.layout.chunk_dims.size(), out.dims.size()));
  }
};

}  // namespace

DatasetHeader read_dataset_header(const FileReader& file, const Superblock& sb, std::uint64_t address) {
  DatasetHeader h;
  Parser{file, sb, h}.run(address);
  return h;
}

}  // namespace h5dig::format

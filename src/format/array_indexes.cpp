// Fixed array, extensible array and v2 B-tree chunk indexes (layout message v4).
//
// Structure layouts follow the HDF5 File Format Specification v3 ("Fixed Array",
// "Extensible Array", "Version 2 B-trees") and what HDF5 1.10 writes. Every
// block's lookup3 checksum is verified before its fields are trusted.
#include <algorithm>
#include <bit>
#include <unordered_map>
#include <unordered_set>

#include "decode.hpp"
#include "index_walkers.hpp"

namespace h5dig::format::detail {

bool walker_available(ChunkIndexKind) noexcept { return true; }

namespace {

// HDF5's chunk-index element: address, then (filtered) chunk size and mask.
struct ElementCodec {
  unsigned addr_size = 8;
  bool filtered = false;
  unsigned size_len = 0;  // bytes of the filtered chunk size
  std::size_t element_size = 0;

  void decode(Cursor& c, WalkContext& ctx, std::string_view where, std::uint64_t where_address) const {
    std::uint64_t a = c.addr(addr_size);
    std::uint64_t size = ctx.chunk_nbytes;
    std::uint32_t mask = 0;
    if (filtered) {
      size = c.uint(size_len);
      mask = c.u32();
    }
    if (a == kUndefinedAddress) return;  // never written
    ctx.emit(a, size, mask, where, where_address);
  }
};

ElementCodec element_codec(Cursor& c, WalkContext& ctx, unsigned client_id, std::size_t element_size) {
  ElementCodec e;
  e.addr_size = ctx.sb.sizeof_addr;
  e.element_size = element_size;
  if (client_id > 1) c.fail(fmt::format("client id {} (expected 0 or 1)", client_id));
  e.filtered = client_id == 1;
  if (e.filtered != !ctx.header.filters.empty())
    c.fail(fmt::format("client id {} disagrees with the dataset's {} filters", client_id, ctx.header.filters.size()));
  if (!e.filtered) {
    if (element_size != e.addr_size) c.fail(fmt::format("element size {} (expected {})", element_size, e.addr_size));
  } else {
    if (element_size < e.addr_size + 4 + 1 || element_size > e.addr_size + 4 + 8)
      c.fail(fmt::format("filtered element size {} out of range", element_size));
    e.size_len = static_cast<unsigned>(element_size - e.addr_size - 4);
  }
  return e;
}

bool bit_set(std::span<const std::byte> bitmap, std::uint64_t i) {
  // HDF5 stores bit 0 in the high bit of the first byte (H5VM_bit_get).
  return (static_cast<unsigned>(bitmap[i / 8]) & (0x80u >> (i % 8))) != 0;
}

std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > ~std::uint64_t{0} / a) return ~std::uint64_t{0};
  return a * b;
}

std::uint64_t checked_abs(WalkContext& ctx, std::uint64_t rel, std::string_view what) {
  if (rel == kUndefinedAddress) fail_at(ctx.file, what, rel, "undefined address");
  std::uint64_t abs = ctx.sb.absolute(rel);
  if (abs >= ctx.file.size())
    fail_at(ctx.file, what, rel, fmt::format("address past the end of the file ({} bytes)", ctx.file.size()));
  return abs;
}

}  // namespace

// ---------------------------------------------------------------- fixed array
// Header "FAHD": version, client id, element size, page bits, element count (L),
// data block address, checksum. Data block "FADB": version, client id, header
// address, page-init bitmap (if paged), elements (if not paged), checksum; pages
// follow the data block, each its elements plus a checksum. Element i is the
// chunk whose scaled coordinates are i in C order over the maximum dimensions.
void walk_farray(WalkContext& ctx) {
  const auto& file = ctx.file;
  const unsigned O = ctx.sb.sizeof_addr, L = ctx.sb.sizeof_size;
  const std::uint64_t hdr_addr = ctx.header.layout.index_address;
  std::vector<std::byte> buf;
  const std::size_t hdr_size = 4 + 4 + L + O + 4;
  Cursor h(read_block(file, checked_abs(ctx, hdr_addr, "fixed array header"), hdr_size, "fixed array header", buf),
           "fixed array header", hdr_addr, file);
  h.expect_signature("FAHD");
  if (unsigned v = h.u8(); v != 0) h.fail(fmt::format("version {}", v));
  unsigned client = h.u8();
  std::size_t esize = h.u8();
  unsigned page_bits = h.u8();
  std::uint64_t nelmts = h.uint(L);
  std::uint64_t dblk_addr = h.addr(O);
  h.verify_checksum();
  ElementCodec codec = element_codec(h, ctx, client, esize);
  if (page_bits == 0 || page_bits > 32) h.fail(fmt::format("page bits {}", page_bits));

  std::uint64_t expected = 1;
  for (auto g : ctx.max_grid) expected = sat_mul(expected, g);
  if (nelmts != expected)
    h.fail(fmt::format("{} elements where the dataset's maximum extent has {} chunks", nelmts, expected));
  if (dblk_addr == kUndefinedAddress || nelmts == 0) return;
  if (sat_mul(nelmts, esize) > file.size()) h.fail(fmt::format("{} elements cannot fit in the file", nelmts));

  const std::uint64_t page_nelmts = std::uint64_t{1} << page_bits;
  const bool paged = nelmts > page_nelmts;
  const std::uint64_t npages = paged ? (nelmts + page_nelmts - 1) / page_nelmts : 0;
  const std::size_t bitmap_size = static_cast<std::size_t>((npages + 7) / 8);
  const std::size_t prefix = 4 + 1 + 1 + O + bitmap_size;
  const std::size_t dblk_size = prefix + (paged ? 0 : static_cast<std::size_t>(nelmts) * esize) + 4;
  const std::uint64_t dblk_abs = checked_abs(ctx, dblk_addr, "fixed array data block");
  std::vector<std::byte> dbuf;
  Cursor d(read_block(file, dblk_abs, dblk_size, "fixed array data block", dbuf), "fixed array data block", dblk_addr,
           file);
  d.expect_signature("FADB");
  if (unsigned v = d.u8(); v != 0) d.fail(fmt::format("version {}", v));
  if (d.u8() != client) d.fail("client id differs from the header's");
  if (d.addr(O) != hdr_addr) d.fail("header address does not point back to the fixed array header");
  auto bitmap = d.take(bitmap_size);
  std::vector<std::size_t> order(ctx.rank);
  for (std::size_t k = 0; k < ctx.rank; ++k) order[k] = k;
  if (!paged) {
    d.seek(dblk_size - 4);
    d.verify_checksum();
    d.seek(prefix);
    for (std::uint64_t i = 0; i < nelmts; ++i) {
      ctx.set_offset_from_linear(i, ctx.max_grid, order);
      codec.decode(d, ctx, "fixed array data block", dblk_addr);
    }
    return;
  }
  // Pages sit back to back after the data block, a checksum closing each.
  const std::uint64_t page_stride = page_nelmts * esize + 4;
  std::vector<std::byte> pbuf;
  for (std::uint64_t p = 0; p < npages; ++p) {
    if (!bit_set(bitmap, p)) continue;  // page never written: no chunks
    const std::uint64_t n = std::min(page_nelmts, nelmts - p * page_nelmts);
    const std::uint64_t page_rel = dblk_addr + dblk_size + p * page_stride;
    const std::uint64_t page_abs = dblk_abs + dblk_size + p * page_stride;
    const std::size_t page_size = static_cast<std::size_t>(n * esize + 4);
    Cursor pc(read_block(file, page_abs, page_size, "fixed array data block page", pbuf), "fixed array data block page",
              page_rel, file);
    pc.seek(page_size - 4);
    pc.verify_checksum();
    pc.seek(0);
    for (std::uint64_t i = 0; i < n; ++i) {
      ctx.set_offset_from_linear(p * page_nelmts + i, ctx.max_grid, order);
      codec.decode(pc, ctx, "fixed array data block page", page_rel);
    }
  }
}

// ---------------------------------------------------------------- extensible array
// Header "EAHD" -> index block "EAIB" (first elements, data-block addresses,
// super-block addresses) -> super blocks "EASB" (page bitmaps, data-block
// addresses) -> data blocks "EADB" (elements, or pages of elements). Element i
// is the chunk at scaled coordinates i in C order with the unlimited dimension
// moved to the front ("swizzled", H5Dearray.c).
void walk_earray(WalkContext& ctx) {
  const auto& file = ctx.file;
  const unsigned O = ctx.sb.sizeof_addr, L = ctx.sb.sizeof_size;
  const std::uint64_t hdr_addr = ctx.header.layout.index_address;
  std::vector<std::byte> buf;
  const std::size_t hdr_size = 4 + 1 + 1 + 6 + 6 * L + O + 4;
  Cursor h(read_block(file, checked_abs(ctx, hdr_addr, "extensible array header"), hdr_size,
                      "extensible array header", buf),
           "extensible array header", hdr_addr, file);
  h.expect_signature("EAHD");
  if (unsigned v = h.u8(); v != 0) h.fail(fmt::format("version {}", v));
  const unsigned client = h.u8();
  const std::size_t esize = h.u8();
  const unsigned max_nelmts_bits = h.u8();
  const unsigned idx_blk_elmts = h.u8();
  const unsigned data_blk_min_elmts = h.u8();
  const unsigned sup_blk_min_data_ptrs = h.u8();
  const unsigned page_bits = h.u8();
  h.skip(4 * L);  // super block count/size, data block count/size (statistics)
  const std::uint64_t max_idx_set = h.uint(L);
  h.uint(L);  // elements realized
  const std::uint64_t iblock_addr = h.addr(O);
  h.verify_checksum();
  ElementCodec codec = element_codec(h, ctx, client, esize);
  if (max_nelmts_bits == 0 || max_nelmts_bits > 64) h.fail(fmt::format("max element bits {}", max_nelmts_bits));
  if (data_blk_min_elmts == 0 || !std::has_single_bit(data_blk_min_elmts))
    h.fail(fmt::format("data block minimum elements {} is not a power of two", data_blk_min_elmts));
  if (sup_blk_min_data_ptrs < 2 || !std::has_single_bit(sup_blk_min_data_ptrs))
    h.fail(fmt::format("super block minimum data pointers {} is not a power of two", sup_blk_min_data_ptrs));
  if (page_bits == 0 || page_bits > 32) h.fail(fmt::format("page bits {}", page_bits));
  const unsigned min_elmts_log2 = static_cast<unsigned>(std::countr_zero(data_blk_min_elmts));
  if (min_elmts_log2 > max_nelmts_bits) h.fail("data block minimum exceeds the maximum element count");

  // The unlimited dimension leads ("swizzled" order); the others follow in order.
  std::size_t unlim = ctx.rank;
  for (std::size_t d = 0; d < ctx.rank; ++d)
    if (ctx.header.maxdims[d] == ~std::uint64_t{0}) {
      if (unlim != ctx.rank) h.fail("more than one unlimited dimension");
      unlim = d;
    }
  if (unlim == ctx.rank) h.fail("no unlimited dimension");
  std::vector<std::size_t> order{unlim};
  std::vector<std::uint64_t> extents{~std::uint64_t{0}};
  std::uint64_t bound = ctx.grid[unlim];
  for (std::size_t d = 0; d < ctx.rank; ++d)
    if (d != unlim) {
      order.push_back(d);
      extents.push_back(ctx.max_grid[d]);
      bound = sat_mul(bound, ctx.max_grid[d]);
    }
  // Elements past the current extent cannot hold chunks: stop there however
  // large the header claims the array to be.
  const std::uint64_t limit = std::min(max_idx_set, bound);
  if (iblock_addr == kUndefinedAddress || limit == 0) return;

  // Super block geometry (H5EAhdr.c): super block u has 2^(u/2) data blocks of
  // 2^((u+1)/2) * data_blk_min_elmts elements each.
  struct SuperInfo {
    std::uint64_t ndblks, dblk_nelmts, start_idx, start_dblk;
  };
  const unsigned nsblks = 1 + (max_nelmts_bits - min_elmts_log2);
  std::vector<SuperInfo> sinfo;
  {
    std::uint64_t start_idx = 0, start_dblk = 0;
    for (unsigned u = 0; u < nsblks; ++u) {
      SuperInfo s{std::uint64_t{1} << (u / 2), (std::uint64_t{1} << ((u + 1) / 2)) * data_blk_min_elmts, start_idx,
                  start_dblk};
      sinfo.push_back(s);
      const std::uint64_t span = sat_mul(s.ndblks, s.dblk_nelmts);
      if (span > ~std::uint64_t{0} - start_idx) break;  // beyond any addressable element
      start_idx += span;
      start_dblk += s.ndblks;
    }
  }
  const unsigned iblock_nsblks = std::min<unsigned>(2 * static_cast<unsigned>(std::countr_zero(sup_blk_min_data_ptrs)), static_cast<unsigned>(sinfo.size()));
  const std::size_t ndblk_addrs = 2 * (std::size_t{sup_blk_min_data_ptrs} - 1);
  const std::size_t nsblk_addrs = nsblks > iblock_nsblks ? nsblks - iblock_nsblks : 0;
  const std::size_t blk_off_size = (max_nelmts_bits + 7) / 8;
  const std::uint64_t page_nelmts = std::uint64_t{1} << page_bits;

  // Index block.
  const std::size_t iblock_size = 4 + 1 + 1 + O + std::size_t{idx_blk_elmts} * esize + (ndblk_addrs + nsblk_addrs) * O + 4;
  std::vector<std::byte> ibuf;
  Cursor ib(read_block(file, checked_abs(ctx, iblock_addr, "extensible array index block"), iblock_size,
                       "extensible array index block", ibuf),
            "extensible array index block", iblock_addr, file);
  ib.expect_signature("EAIB");
  if (unsigned v = ib.u8(); v != 0) ib.fail(fmt::format("version {}", v));
  if (ib.u8() != client) ib.fail("client id differs from the header's");
  if (ib.addr(O) != hdr_addr) ib.fail("header address does not point back to the extensible array header");
  ib.seek(iblock_size - 4);
  ib.verify_checksum();
  ib.seek(4 + 1 + 1 + O);
  for (std::uint64_t i = 0; i < idx_blk_elmts; ++i) {
    if (i < limit) {
      ctx.set_offset_from_linear(i, extents, order);
      codec.decode(ib, ctx, "extensible array index block", iblock_addr);
    } else {
      ib.skip(esize);
    }
  }
  std::vector<std::uint64_t> dblk_addrs(ndblk_addrs), sblk_addrs(nsblk_addrs);
  for (auto& a : dblk_addrs) a = ib.addr(O);
  for (auto& a : sblk_addrs) a = ib.addr(O);

  std::unordered_set<std::uint64_t> visited{hdr_addr, iblock_addr};
  std::vector<std::byte> dbuf, sbuf;
  // Reads one data block of `nelmts` elements whose first element is `first`.
  // When paged, its pages' "initialized" bits are bits page_bit0.. of the super
  // block's bitmap: HDF5 indexes the super block's page bitmaps as one bit
  // array (bit = data block index x pages a block + page index).
  auto data_block = [&](std::uint64_t addr, std::uint64_t first, std::uint64_t nelmts,
                        std::span<const std::byte> page_init, std::uint64_t page_bit0) {
    if (addr == kUndefinedAddress) return;
    if (!visited.insert(addr).second)
      fail_at(file, "extensible array data block", addr, "block referenced twice");
    const bool paged = nelmts > page_nelmts;
    const std::size_t prefix = 4 + 1 + 1 + O + blk_off_size;
    const std::size_t size = prefix + (paged ? 0 : static_cast<std::size_t>(nelmts) * esize) + 4;
    const std::uint64_t abs = checked_abs(ctx, addr, "extensible array data block");
    Cursor db(read_block(file, abs, size, "extensible array data block", dbuf), "extensible array data block", addr, file);
    db.expect_signature("EADB");
    if (unsigned v = db.u8(); v != 0) db.fail(fmt::format("version {}", v));
    if (db.u8() != client) db.fail("client id differs from the header's");
    if (db.addr(O) != hdr_addr) db.fail("header address does not point back to the extensible array header");
    db.seek(size - 4);
    db.verify_checksum();
    db.seek(prefix);
    if (!paged) {
      for (std::uint64_t i = 0; i < nelmts && first + i < limit; ++i) {
        ctx.set_offset_from_linear(first + i, extents, order);
        codec.decode(db, ctx, "extensible array data block", addr);
      }
      return;
    }
    if (page_init.empty()) fail_at(file, "extensible array data block", addr, "paged data block without a page bitmap");
    const std::uint64_t npages = nelmts / page_nelmts;
    const std::uint64_t stride = page_nelmts * esize + 4;
    std::vector<std::byte> pbuf;
    for (std::uint64_t p = 0; p < npages && first + p * page_nelmts < limit; ++p) {
      if (page_bit0 + p >= 8 * std::uint64_t{page_init.size()})
        fail_at(file, "extensible array super block", addr, "page bitmap too short");
      if (!bit_set(page_init, page_bit0 + p)) continue;
      const std::uint64_t page_rel = addr + size + p * stride;
      Cursor pc(read_block(file, abs + size + p * stride, static_cast<std::size_t>(stride), "extensible array data block page", pbuf),
                "extensible array data block page", page_rel, file);
      pc.seek(stride - 4);
      pc.verify_checksum();
      pc.seek(0);
      for (std::uint64_t i = 0; i < page_nelmts && first + p * page_nelmts + i < limit; ++i) {
        ctx.set_offset_from_linear(first + p * page_nelmts + i, extents, order);
        codec.decode(pc, ctx, "extensible array data block page", page_rel);
      }
    }
  };

  for (unsigned u = 0; u < sinfo.size(); ++u) {
    const SuperInfo& s = sinfo[u];
    const std::uint64_t sblk_first = idx_blk_elmts + s.start_idx;
    if (s.start_idx >= limit || sblk_first >= limit) break;
    const bool paged = s.dblk_nelmts > page_nelmts;
    if (u < iblock_nsblks) {
      if (paged)
        throw_unsupported(fmt::format("{}: extensible array index block {}: paged data blocks directly in the index block",
                                      file.name(), iblock_addr));
      for (std::uint64_t j = 0; j < s.ndblks; ++j) {
        std::size_t k = static_cast<std::size_t>(s.start_dblk + j);
        if (k >= dblk_addrs.size()) ib.fail("data block index beyond the index block's pointers");
        data_block(dblk_addrs[k], sblk_first + j * s.dblk_nelmts, s.dblk_nelmts, {}, 0);
      }
      continue;
    }
    const std::uint64_t sblk_addr = sblk_addrs[u - iblock_nsblks];
    if (sblk_addr == kUndefinedAddress) continue;
    if (!visited.insert(sblk_addr).second) fail_at(file, "extensible array super block", sblk_addr, "block referenced twice");
    const std::size_t page_init_size = paged ? static_cast<std::size_t>((s.dblk_nelmts / page_nelmts + 7) / 8) : 0;
    const std::size_t ssize = 4 + 1 + 1 + O + blk_off_size + static_cast<std::size_t>(s.ndblks) * (page_init_size + O) + 4;
    Cursor sb(read_block(file, checked_abs(ctx, sblk_addr, "extensible array super block"), ssize,
                         "extensible array super block", sbuf),
              "extensible array super block", sblk_addr, file);
    sb.expect_signature("EASB");
    if (unsigned v = sb.u8(); v != 0) sb.fail(fmt::format("version {}", v));
    if (sb.u8() != client) sb.fail("client id differs from the header's");
    if (sb.addr(O) != hdr_addr) sb.fail("header address does not point back to the extensible array header");
    sb.seek(ssize - 4);
    sb.verify_checksum();
    sb.seek(4 + 1 + 1 + O + blk_off_size);
    std::vector<std::byte> bitmaps(static_cast<std::size_t>(s.ndblks) * page_init_size);
    if (!bitmaps.empty()) {
      auto raw = sb.take(bitmaps.size());
      std::copy(raw.begin(), raw.end(), bitmaps.begin());
    }
    std::vector<std::uint64_t> addrs(static_cast<std::size_t>(s.ndblks));
    for (auto& a : addrs) a = sb.addr(O);
    for (std::uint64_t j = 0; j < s.ndblks; ++j) {
      const std::uint64_t first = sblk_first + j * s.dblk_nelmts;
      if (first >= limit) break;
      data_block(addrs[static_cast<std::size_t>(j)], first, s.dblk_nelmts, bitmaps,
                 paged ? j * (s.dblk_nelmts / page_nelmts) : 0);
    }
  }
}

// ---------------------------------------------------------------- v2 B-tree
// Header "BTHD" -> internal nodes "BTIN" (records, then child pointers with
// record counts) -> leaves "BTLF" (records). Record type 10: address, scaled
// offsets; type 11: address, chunk size, filter mask, scaled offsets.
void walk_btree2(WalkContext& ctx) {
  const auto& file = ctx.file;
  const unsigned O = ctx.sb.sizeof_addr, L = ctx.sb.sizeof_size;
  const std::uint64_t hdr_addr = ctx.header.layout.index_address;
  std::vector<std::byte> buf;
  const std::size_t hdr_size = 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + O + 2 + L + 4;
  Cursor h(read_block(file, checked_abs(ctx, hdr_addr, "v2 B-tree header"), hdr_size, "v2 B-tree header", buf),
           "v2 B-tree header", hdr_addr, file);
  h.expect_signature("BTHD");
  if (unsigned v = h.u8(); v != 0) h.fail(fmt::format("version {}", v));
  const unsigned type = h.u8();
  const std::uint32_t node_size = h.u32();
  const std::size_t rrec = h.u16();
  const unsigned depth = h.u16();
  h.skip(2);  // split and merge percent
  const std::uint64_t root_addr = h.addr(O);
  const unsigned root_nrec = h.u16();
  const std::uint64_t total = h.uint(L);
  h.verify_checksum();
  if (type != 10 && type != 11) h.fail(fmt::format("record type {} (expected 10 or 11, chunks)", type));
  const bool filtered = type == 11;
  if (filtered == ctx.header.filters.empty())
    h.fail(fmt::format("record type {} disagrees with the dataset's {} filters", type, ctx.header.filters.size()));
  const std::size_t scaled_bytes = 8 * ctx.rank;
  std::size_t size_len = 0;
  if (filtered) {
    if (rrec < O + 4 + 1 + scaled_bytes || rrec > O + 4 + 8 + scaled_bytes) h.fail(fmt::format("record size {}", rrec));
    size_len = rrec - O - 4 - scaled_bytes;
  } else if (rrec != O + scaled_bytes) {
    h.fail(fmt::format("record size {} (expected {})", rrec, O + scaled_bytes));
  }
  constexpr std::size_t kPrefix = 4 + 1 + 1 + 4;  // signature, version, type, checksum
  if (node_size < kPrefix + 2 * rrec || node_size > (64u << 20)) h.fail(fmt::format("node size {}", node_size));
  if (depth > 32) h.fail(fmt::format("depth {}", depth));
  if (total > ctx.grid_count) h.fail(fmt::format("{} records where the extent spans {} chunks", total, ctx.grid_count));
  if (root_addr == kUndefinedAddress || total == 0) return;

  // Node geometry per depth (H5B2hdr.c): how many records fit, and how many
  // bytes encode a child's record count and its subtree's total.
  auto enc_size = [](std::uint64_t n) { return static_cast<std::size_t>((std::bit_width(n) - (n ? 1 : 0)) / 8 + 1); };
  struct NodeInfo {
    std::uint64_t max_nrec, cum_max_nrec;
    std::size_t cum_max_nrec_size;
  };
  std::vector<NodeInfo> info(depth + 1);
  info[0] = {(node_size - kPrefix) / rrec, (node_size - kPrefix) / rrec, 0};
  const std::size_t max_nrec_size = enc_size(info[0].max_nrec);
  for (unsigned u = 1; u <= depth; ++u) {
    const std::size_t ptr = O + max_nrec_size + (u > 1 ? info[u - 1].cum_max_nrec_size : 0);
    if (node_size < kPrefix + ptr) h.fail("node size too small for an internal node");
    info[u].max_nrec = (node_size - kPrefix - ptr) / (rrec + ptr);
    info[u].cum_max_nrec = sat_mul(info[u].max_nrec + 1, info[u - 1].cum_max_nrec) + info[u].max_nrec;
    if (info[u].cum_max_nrec < info[u].max_nrec) info[u].cum_max_nrec = ~std::uint64_t{0};
    info[u].cum_max_nrec_size = enc_size(info[u].cum_max_nrec);
  }

  auto emit_record = [&](Cursor& c, std::string_view where, std::uint64_t where_addr) {
    const std::uint64_t a = c.addr(O);
    std::uint64_t size = ctx.chunk_nbytes;
    std::uint32_t mask = 0;
    if (filtered) {
      size = c.uint(size_len);
      mask = c.u32();
    }
    for (std::size_t d = 0; d < ctx.rank; ++d) {
      const std::uint64_t s = c.u64();
      ctx.offset[d] = sat_mul(s, ctx.header.layout.chunk_dims[d]);
    }
    ctx.emit(a, size, mask, where, where_addr);
  };

  // In-order walk with an explicit stack: an internal node's records sit
  // between its children.
  struct Item {
    bool is_record;
    std::uint64_t addr;  // node address, or the node holding the record
    unsigned depth;
    unsigned nrec;
    std::size_t record;  // index of the record in its node
  };
  std::unordered_set<std::uint64_t> visited;
  std::vector<Item> stack{{false, root_addr, depth, root_nrec, 0}};
  std::vector<std::vector<std::byte>> node_bufs;  // internal nodes whose records are still pending
  std::unordered_map<std::uint64_t, std::size_t> pending;  // node address -> node_bufs index
  std::vector<std::byte> leaf;
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    if (it.is_record) {
      auto& nb = node_bufs[pending.at(it.addr)];
      Cursor c(nb, "v2 B-tree internal node", it.addr, file);
      c.seek(6 + it.record * rrec);
      emit_record(c, "v2 B-tree internal node", it.addr);
      continue;
    }
    if (it.addr == kUndefinedAddress) fail_at(file, "v2 B-tree node", it.addr, "undefined child address");
    if (!visited.insert(it.addr).second) fail_at(file, "v2 B-tree node", it.addr, "node reached twice (cycle or shared subtree)");
    if (it.nrec > info[it.depth].max_nrec)
      fail_at(file, "v2 B-tree node", it.addr, fmt::format("{} records where at most {} fit", it.nrec, info[it.depth].max_nrec));
    const std::uint64_t abs = checked_abs(ctx, it.addr, "v2 B-tree node");
    if (it.depth == 0) {
      const std::size_t size = 6 + std::size_t{it.nrec} * rrec + 4;
      Cursor c(read_block(file, abs, size, "v2 B-tree leaf node", leaf), "v2 B-tree leaf node", it.addr, file);
      c.expect_signature("BTLF");
      if (unsigned v = c.u8(); v != 0) c.fail(fmt::format("version {}", v));
      if (c.u8() != type) c.fail("record type differs from the header's");
      c.seek(size - 4);
      c.verify_checksum();
      c.seek(6);
      for (unsigned r = 0; r < it.nrec; ++r) emit_record(c, "v2 B-tree leaf node", it.addr);
      continue;
    }
    const std::size_t ptr = O + max_nrec_size + (it.depth > 1 ? info[it.depth - 1].cum_max_nrec_size : 0);
    const std::size_t size = 6 + std::size_t{it.nrec} * rrec + (std::size_t{it.nrec} + 1) * ptr + 4;
    std::vector<std::byte> nb;
    Cursor c(read_block(file, abs, size, "v2 B-tree internal node", nb), "v2 B-tree internal node", it.addr, file);
    c.expect_signature("BTIN");
    if (unsigned v = c.u8(); v != 0) c.fail(fmt::format("version {}", v));
    if (c.u8() != type) c.fail("record type differs from the header's");
    c.seek(size - 4);
    c.verify_checksum();
    c.seek(6 + std::size_t{it.nrec} * rrec);
    std::vector<Item> children;
    for (unsigned k = 0; k <= it.nrec; ++k) {
      const std::uint64_t child = c.addr(O);
      const unsigned child_nrec = static_cast<unsigned>(c.uint(max_nrec_size));
      if (it.depth > 1) c.uint(info[it.depth - 1].cum_max_nrec_size);
      children.push_back({false, child, it.depth - 1, child_nrec, 0});
    }
    pending[it.addr] = node_bufs.size();
    node_bufs.push_back(std::move(nb));
    // Push in reverse so the walk yields child 0, record 0, child 1, ...
    for (std::size_t k = it.nrec + 1; k-- > 0;) {
      stack.push_back(children[k]);
      if (k > 0) stack.push_back({true, it.addr, it.depth, it.nrec, k - 1});
    }
  }
  if (ctx.count != total)
    fail_at(file, "v2 B-tree header", hdr_addr, fmt::format("{} records found where the header counts {}", ctx.count, total));
}

}  // namespace h5dig::format::detail

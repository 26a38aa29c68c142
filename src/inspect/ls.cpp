// h5ls 1.10.8, re-expressed: the listing walks links in name order (as h5ls's
// h5trav does), prints each object's first line (name padded to 24 columns)
// and, with -v, its attributes, location, storage and type in h5ls's words.
#include "h5dig/inspect/ls.hpp"

#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>

#include "h5dig/error.hpp"
#include "h5dig/chunk/chunk_map.hpp"
#include "h5dig/h5/chunk_info.hpp"
#include "h5dig/h5/describe.hpp"
#include "h5dig/h5/region.hpp"
#include "h5dig/io/parallel_reader.hpp"
#include "h5dig/object_path.hpp"
#include "ls_json.hpp"
#include "region.hpp"
#include "render.hpp"
#include "slabs.hpp"

namespace h5dig::inspect {

namespace {
// Rows of h5ls -v's chunk table, each chunk's offset and record handed to
// `row` with the userblock size (h5ls prints addresses relative to the base
// address, as HDF5 reports them: the row takes it back off). The chunks come
// from the file's own chunk index (chunk::map_chunks, linear in the chunk count;
// H5Dget_chunk_info is quadratic on HDF5 1.10.8) in the index's order, which is
// the order HDF5 iterates in. If the map cannot be built (damaged index),
// HDF5's own answer is printed instead, as much of it as HDF5 gives.
void for_each_chunk_row(h5::Id dset, const std::function<void(std::span<const std::uint64_t>,
                                                             const format::ChunkRecord&, std::uint64_t)>& row) {
  std::optional<h5::Dataset> ds;
  try {
    ds.emplace(h5::borrow_dataset(dset));
    const auto map = chunk::map_chunks(*ds);
    const std::uint64_t base = h5::userblock_size(*ds);
    for (std::size_t i = 0; i < map.size(); ++i) row(map.offset(i), map.record(i), base);
    return;
  } catch (const Error&) {
  }
  if (!ds) return;
  std::uint64_t base = 0;
  try {
    base = h5::userblock_size(*ds);
  } catch (const Error&) {
  }
  h5::visit_chunks(*ds, base, h5::ChunkQuery::lenient,
                   [&](std::span<const std::uint64_t> offset, const format::ChunkRecord& r) { row(offset, r, base); });
}
}  // namespace

using h5::TypeDesc;

namespace {

constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

// h5ls's print_string: escapes quotes, backslashes, control characters (and
// spaces in names); returns the number of columns written.
std::size_t append_escaped(std::string& out, const std::string& s, bool escape_spaces) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; n += 2; break;
      case '\\': out += "\\\\"; n += 2; break;
      case '\b': out += "\\b"; n += 2; break;
      case '\f': out += "\\f"; n += 2; break;
      case '\n': out += "\\n"; n += 2; break;
      case '\r': out += "\\r"; n += 2; break;
      case '\t': out += "\\t"; n += 2; break;
      case ' ':
        if (escape_spaces) {
          out += "\\ ";
          n += 2;
        } else {
          out += ' ';
          n += 1;
        }
        break;
      default:
        if (std::isprint(c)) {
          out += static_cast<char>(c);
          n += 1;
        } else {
          out += fmt::format("\\{:03o}", c);
          n += 4;
        }
    }
  }
  return n;
}

std::string spaces(std::size_t n) { return std::string(n, ' '); }

const char* order_word(h5::ByteOrder order) {
  switch (order) {
    case h5::ByteOrder::little: return " little-endian";
    case h5::ByteOrder::big: return " big-endian";
    case h5::ByteOrder::vax: return " mixed-endian";
    default: return " unknown-byte-order";
  }
}

const char* pad_word(int pad) {
  switch (pad) {
    case 0: return "zero";
    case 1: return "one";
    case 2: return "bkg";
    default: return "unknown";
  }
}

void append_precision(std::string& s, const TypeDesc& t, int ind) {
  if (8 * t.size == t.precision) return;
  s += fmt::format("\n{}({} bit{} of precision beginning at bit {})", spaces(ind), t.precision,
                   t.precision == 1 ? "" : "s", t.offset);
  const char* lsb = t.offset > 0 ? pad_word(t.lsb_pad) : nullptr;
  const char* msb = t.offset + t.precision < 8 * t.size ? pad_word(t.msb_pad) : nullptr;
  if (lsb || msb) {
    s += fmt::format("\n{}(", spaces(ind));
    if (lsb) s += fmt::format("{} {} bit{} at bit 0", t.offset, lsb, t.offset == 1 ? "" : "s");
    if (lsb && msb) s += ", ";
    if (msb) {
      std::size_t nbits = 8 * t.size - (t.offset + t.precision);
      s += fmt::format("{} {} bit{} at bit {}", nbits, msb, nbits == 1 ? "" : "s", 8 * t.size - nbits);
    }
    s += ")";
  }
}

}  // namespace

namespace detail {
// h5ls's print_type: the datatype in words; continuation lines are indented
// by `ind` columns (the caller has printed `ind` columns before the first).
void append_type(std::string& s, const TypeDesc& t, int ind, bool simple) {
  if (t.committed) s += fmt::format("shared-{}:{} ", t.committed_fileno, t.committed_addr);
  if (!simple && !t.native_name.empty()) {
    s += t.native_name;
    return;
  }
  switch (t.kind) {
    case TypeDesc::Kind::integer: {
      const char* order = t.size > 1 ? order_word(t.order) : "";
      const char* sign = t.sign == h5::Sign::none ? " unsigned" : t.sign == h5::Sign::twos_complement ? "" : " unknown-sign";
      s += fmt::format("{}-bit{}{} integer", 8 * t.size, order, sign);
      append_precision(s, t, ind);
      return;
    }
    case TypeDesc::Kind::floating: {
      if (!t.ieee_name.empty()) {
        s += t.ieee_name;
        return;
      }
      const char* order = t.size > 1 ? order_word(t.order) : "";
      s += fmt::format("{}-bit{} floating-point", 8 * t.size, order);
      append_precision(s, t, ind);
      const char* norm = t.norm == 0 ? ", msb implied" : t.norm == 1 ? ", msb always set"
                         : t.norm == 2 ? ", no normalization" : ", unknown normalization";
      s += fmt::format("\n{}(significant for {} bit{} at bit {}{})", spaces(ind), t.msize, t.msize == 1 ? "" : "s",
                       t.mpos, norm);
      s += fmt::format("\n{}(exponent for {} bit{} at bit {}, bias is 0x{:x})", spaces(ind), t.esize,
                       t.esize == 1 ? "" : "s", t.epos, t.ebias);
      s += fmt::format("\n{}(sign bit at {})", spaces(ind), t.spos);
      if (1 + t.esize + t.msize < t.precision) {
        s += fmt::format("\n{}(internal padding bits are {})", spaces(ind), pad_word(t.inpad));
      }
      return;
    }
    case TypeDesc::Kind::compound: {
      s += "struct {";
      for (const auto& m : t.members) {
        s += fmt::format("\n{}\"", spaces(ind + 4));
        std::size_t n = append_escaped(s, m.name, false);
        s += fmt::format("\"{} +{:<4} ", spaces(n < 16 ? 16 - n : 0), m.offset);
        append_type(s, m.type, ind + 4, simple);
      }
      s += fmt::format("\n{}}} {} byte{}", spaces(ind), t.size, t.size == 1 ? "" : "s");
      return;
    }
    case TypeDesc::Kind::enumeration: {
      s += "enum ";
      if (!t.super.empty()) append_type(s, t.super[0], ind + 4, simple);
      s += " {";
      if (t.enum_names.empty()) {
        s += fmt::format("\n{} <empty>", spaces(ind + 4));
      }
      for (std::size_t i = 0; i < t.enum_names.size(); ++i) {
        s += "\n" + spaces(ind + 4);
        std::size_t n = append_escaped(s, t.enum_names[i], true);
        s += fmt::format("{} = {}", spaces(n < 16 ? 16 - n : 0), t.enum_values[i]);
      }
      s += fmt::format("\n{}}}", spaces(ind));
      return;
    }
    case TypeDesc::Kind::string: {
      const char* pad = t.strpad == 0 ? "null-terminated" : t.strpad == 1 ? "null-padded"
                        : t.strpad == 2 ? "space-padded" : "unknown-format";
      const char* cset = t.cset == 0 ? "ASCII" : t.cset == 1 ? "UTF-8" : "unknown-character-set";
      if (t.variable) s += "variable-length";
      else s += fmt::format("{}-byte", t.size);
      s += fmt::format(" {} {} string", pad, cset);
      return;
    }
    case TypeDesc::Kind::reference:
      if (t.ref_kind == TypeDesc::RefKind::object) s += "object reference";
      else if (t.ref_kind == TypeDesc::RefKind::region) s += "dataset region reference";
      else s += fmt::format("{}-byte unknown reference", t.size);
      return;
    case TypeDesc::Kind::vlen:
      s += fmt::format("variable length of\n{}", spaces(ind + 4));
      if (!t.super.empty()) append_type(s, t.super[0], ind + 4, simple);
      return;
    case TypeDesc::Kind::array:
      if (!t.dims.empty()) {
        for (std::size_t i = 0; i < t.dims.size(); ++i) s += fmt::format("{}{}", i ? "," : "[", t.dims[i]);
        s += "]";
      } else {
        s += " [SCALAR]\n";
      }
      s += " ";
      if (!t.super.empty()) append_type(s, t.super[0], ind + 4, simple);
      return;
    case TypeDesc::Kind::opaque:
      s += fmt::format("{}-byte opaque type", t.size);
      if (t.tag) {
        s += fmt::format("\n{}(tag = \"", spaces(ind));
        append_escaped(s, *t.tag, false);
        s += "\")";
      }
      return;
    case TypeDesc::Kind::bitfield: {
      const char* order = t.size > 1 ? order_word(t.order) : "";
      s += fmt::format("{}-bit{} bitfield", 8 * t.size, order);
      append_precision(s, t, ind);
      return;
    }
    default:
      s += fmt::format("{}-byte class-{} unknown", t.size, static_cast<int>(t.raw_class));
  }
}
}  // namespace detail

namespace {
using detail::append_type;

struct Lister {
  const LsOptions& opt;
  std::ostream& out;
  h5::Id file = -1;
  std::string fname;
  std::size_t name_start = 0;

  // h5ls's print_obj_name: the (full or base) name, escaped, padded to 24
  // columns, then `s` right-aligned in the padding and one space.
  std::string obj_name(const std::string& path, const std::string& s = "") const {
    std::string name = name_start <= path.size() ? path.substr(name_start) : "";
    if (!opt.recursive) {
      auto slash = name.rfind('/');
      if (slash != std::string::npos) name = name.substr(slash + 1);
    }
    std::string out;
    std::size_t n = append_escaped(out, name, true);
    std::size_t width = n < 24 ? 24 - n : 0;
    out += s.size() >= width ? s : spaces(width - s.size()) + s;
    out += ' ';
    return out;
  }

  void list_link(const h5::LinkEntry& e, bool top_level) {
    std::string s = obj_name(e.path);
    switch (e.link_type) {
      case h5::LinkType::soft:
        s += "Soft Link {" + e.soft_target + "}";
        break;
      case h5::LinkType::external:
        s += "External Link {" + e.ext_file + "/" + (e.ext_path.empty() || e.ext_path[0] != '/' ? "/" : "") +
             e.ext_path + "}";
        break;
      default:
        s += "UD Link {cannot follow UD links}";
    }
    s += "\n";
    out << s;
  }

  void list_attribute(const h5::AttributeDesc& a) {
    std::string s = "    Attribute: ";
    append_escaped(s, a.name, true);
    switch (a.space.kind) {
      case h5::SpaceDesc::Kind::scalar: s += " scalar\n"; break;
      case h5::SpaceDesc::Kind::simple: {
        s += " {";
        for (std::size_t i = 0; i < a.space.dims.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", a.space.dims[i]);
        s += "}\n";
        break;
      }
      case h5::SpaceDesc::Kind::null: s += " null\n"; break;
      case h5::SpaceDesc::Kind::unknown: s += " unknown\n"; break;
    }
    s += "        Type:      ";
    append_type(s, a.type, 15, opt.simple);
    s += "\n";
    out << s;
    if (!opt.data) return;
    out << data_heading("        Data:", 12);
    if (a.space.kind == h5::SpaceDesc::Kind::null || a.space.kind == h5::SpaceDesc::Kind::unknown) {
      out << (opt.simple ? spaces(22) : spaces(23)) << "Unable to print data.\n";
      return;
    }
    if (h5::contains_kind(a.type, TypeDesc::Kind::time)) {
      // HDF5 has no memory type for the time class: h5ls prints no values
      // (an empty line) and goes on.
      out << "\n";
      return;
    }
    h5::ValueBuffer vb;
    try {
      vb = h5::read_attribute_values(a.attr);
    } catch (const Error&) {
      // As h5ls: the attribute's values cannot be read (damaged), the listing goes on.
      out << (opt.simple ? spaces(22) : spaces(23)) << "Unable to print data.\n";
      return;
    }
    std::size_t ncols = opt.width == 0 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(opt.width);
    if (is_region(vb.mem_type)) {
      std::string pre = opt.simple ? spaces(14) : spaces(15);
      // Attribute values: h5tools counts three columns more than it prints
      // (hence the narrower width of plain attribute values).
      render_regions(a.attr, vb, region_layout(pre, opt.simple ? pre : pre + " ", spaces(6),
                                                  opt.simple ? std::numeric_limits<std::size_t>::max()
                                                  : opt.width == 0 ? 80 : ncols,
                                                  3),
                     0);
      out << "\n";
      return;
    }
    if (vb.mem_type.kind == TypeDesc::Kind::reference && vb.mem_type.ref_kind == TypeDesc::RefKind::object) {
      // Object references: each target with its values, as for datasets.
      const std::size_t elem = vb.mem_type.size;  // H5Dread/H5Aread pack elements at the memory type's size
      for (std::uint64_t i = 0; i < vb.count; ++i) render_reference(a.attr, vb.bytes.data() + i * elem, opt.simple ? 14 : 15, true);
      out << "\n";
      return;
    }
    // h5ls counts three columns more than it prints on attribute value lines
    // (one indentation level), so they wrap three columns short of -w; with -S
    // they never wrap, whatever -w says.
    if (opt.simple) ncols = std::numeric_limits<std::size_t>::max();
    if (ncols != std::numeric_limits<std::size_t>::max()) ncols = ncols > 3 ? ncols - 3 : 0;
    bool per_line = opt.simple || opt.width == 0;
    std::string pre = opt.simple ? spaces(14) : spaces(15);
    detail::LineRenderer lr(out, pre, pre + " ", ncols, per_line);
    detail::ValueFormat vf = value_format(a.attr);
    const std::size_t elem = vb.mem_type.size;  // H5Dread/H5Aread pack elements at the memory type's size
    for (std::uint64_t i = 0; i < vb.count; ++i) {
      std::string text = detail::format_value(vb.mem_type, vb.bytes.data() + i * elem, vf);
      if (i + 1 < vb.count) text += opt.simple ? " " : ",";
      lr.element(text);
    }
    out << "\n";
  }

  // h5ls renders the "Data:" heading (with its newline) as a value: on a
  // width too narrow for it, it goes on a fresh value line, after a prefix.
  std::string data_heading(const std::string& heading, std::size_t prefix) const {
    bool narrow = !opt.simple && opt.width != 0 && heading.size() + 2 > static_cast<std::size_t>(opt.width);
    return (narrow ? spaces(prefix) : std::string()) + heading + "\n";
  }

  void dataset_dims(std::string& s, const h5::SpaceDesc& sp) const {
    s += " {";
    for (std::size_t i = 0; i < sp.dims.size(); ++i) {
      s += fmt::format("{}{}", i ? ", " : "", sp.dims[i]);
      if (sp.maxdims[i] == kUnlimited) s += "/Inf";
      else if (sp.maxdims[i] != sp.dims[i] || opt.verbose) s += fmt::format("/{}", sp.maxdims[i]);
    }
    if (sp.kind == h5::SpaceDesc::Kind::scalar) s += "SCALAR";
    else if (sp.kind == h5::SpaceDesc::Kind::null) s += "NULL";
    s += "}";
  }

  void dataset_details(h5::Id dset, const h5::DatasetDesc& d) {
    std::string s;
    if (d.layout == h5::Layout::chunked) {
      s += "    Chunks:    {";
      std::uint64_t total = d.type.size;
      for (std::size_t i = 0; i < d.chunk.size(); ++i) {
        s += fmt::format("{}{}", i ? ", " : "", d.chunk[i]);
        total *= d.chunk[i];
      }
      s += fmt::format("}} {} bytes\n", total);
    } else if (d.layout == h5::Layout::contiguous && !d.external.empty()) {  // with external files
      std::size_t max_len = 0;
      for (const auto& e : d.external) {
        std::string tmp;
        max_len = std::max(max_len, append_escaped(tmp, e.name, true));
      }
      s += fmt::format("    {:<10} {} external file{}\n", "Extern:", d.external.size(), d.external.size() == 1 ? "" : "s");
      s += fmt::format("        {:>4} {:>10} {:>10} {:>10} {}\n", "ID", "DSet-Addr", "File-Addr", "Bytes", "File");
      s += fmt::format("        {:>4} {:>10} {:>10} {:>10} {}\n", "----", "----------", "----------", "----------",
                       std::string(max_len, '-'));
      std::uint64_t total = 0;
      for (std::size_t i = 0; i < d.external.size(); ++i) {
        const auto& e = d.external[i];
        if (e.size == kUnlimited) {
          s += fmt::format("        #{:03} {:>10} {:>10} {:>10} ", i, total, e.offset, "INF");
        } else {
          s += fmt::format("        #{:03} {:>10} {:>10} {:>10} ", i, total, e.offset, e.size);
        }
        append_escaped(s, e.name, true);
        s += "\n";
        total += e.size;
      }
      s += fmt::format("        {:>4} {:>10} {:>10} {:>10} {}\n", "----", "----------", "----------", "----------",
                       std::string(max_len, '-'));
    } else if (d.layout == h5::Layout::virtual_ && !d.virtual_maps.empty()) {
      s += fmt::format("    {:<10} {{{}}} Source {{\n", "Maps:", d.virtual_maps.size());
      for (const auto& m : d.virtual_maps) {
        s += fmt::format("    {:<10}        ", " ");
        append_escaped(s, m.file, true);
        s += "   ";
        append_escaped(s, m.dataset, true);
        s += "\n";
      }
      s += fmt::format("     {:<10}}}\n", " ");
    }
    s += "    Storage:   ";
    if (d.type.kind == TypeDesc::Kind::vlen || d.type.kind == TypeDesc::Kind::reference) {
      s += "information not available";
    } else {
      std::uint64_t total = d.space.npoints * d.type.size;
      std::uint64_t used = d.storage_size;
      s += fmt::format("{} logical byte{}, {} allocated byte{}", total, total == 1 ? "" : "s", used,
                       used == 1 ? "" : "s");
      if (used > 0) {
        double util = (static_cast<double>(total) * 100.0) / static_cast<double>(used);
        char buf[64];
        std::snprintf(buf, sizeof buf, ", %1.2f%% utilization", util);
        s += buf;
      }
    }
    s += "\n";
    for (std::size_t i = 0; i < d.filters.size(); ++i) {
      const auto& f = d.filters[i];
      s += fmt::format("    {:<10} {}-{} {} {{", fmt::format("Filter-{}:", i), f.name.empty() ? "method" : f.name, f.id,
                       (f.flags & 1u) ? "OPT" : "");
      for (std::size_t k = 0; k < f.cd_values.size(); ++k) s += fmt::format("{}{}", k ? ", " : "", f.cd_values[k]);
      s += "}\n";
    }
    s += "    Type:      ";
    append_type(s, d.type, 15, opt.simple);
    s += "\n";
    out << s;
    if (opt.address) print_address(dset, d);
  }

  void print_address(h5::Id dset, const h5::DatasetDesc& d) {
    if (d.layout == h5::Layout::chunked && d.storage_size == 0) {
      // HDF5 1.10.8's H5Ddebug (which h5ls -va calls) crashes on a chunked
      // dataset with no chunk index yet; h5dig reports the undefined address.
      out << fmt::format("    Address: {}\n", std::numeric_limits<std::uint64_t>::max());
      return;
    }
    std::string dbg = h5::debug_text(dset);
    if (d.layout != h5::Layout::chunked) {
      out << dbg;
      return;
    }
    // Chunked: HDF5 prints the index address, then one row per chunk. The
    // rows come from the chunk query API; only the index address line is
    // taken from HDF5's own report.
    auto eol = dbg.find('\n');
    std::string first = eol == std::string::npos ? dbg : dbg.substr(0, eol + 1);
    out << first;
    if (dbg.find("Logical Offset") == std::string::npos) {
      out << (eol == std::string::npos ? "" : dbg.substr(eol + 1));
      return;
    }
    out << "           Flags    Bytes     Address          Logical Offset\n"
           "        ========== ======== ========== ==============================\n";
    for_each_chunk_row(dset, [&](std::span<const std::uint64_t> offset, const format::ChunkRecord& r,
                                 std::uint64_t base) {
      std::string offs;
      for (auto o : offset) offs += fmt::format("{}, ", o);
      out << fmt::format("        0x{:08x} {:>8} {:>10} [{}0]\n", r.filter_mask, r.size, r.byte_offset - base, offs);
    });
  }

  void dump_dataset_values(h5::Id dset, const h5::DatasetDesc& d) {
    out << data_heading("    Data:", 9);
    if (d.space.kind == h5::SpaceDesc::Kind::null) {
      out << "\n";
      return;
    }
    std::size_t pre = opt.simple ? 8 : 9;
    // An extent beyond its maximum only comes from a damaged dataspace: it
    // would print billions of fill values. h5ls's words, and the listing goes on.
    for (std::size_t i = 0; i < d.space.dims.size() && i < d.space.maxdims.size(); ++i) {
      if (d.space.maxdims[i] != kUnlimited && d.space.dims[i] > d.space.maxdims[i]) {
        out << spaces(pre + 8) << "Unable to print data.\n";
        return;
      }
    }
    render_values(dset, d, pre);
    out << "\n";
  }

  // Renders all values of `dset` on lines starting with `pre` spaces; returns
  // whether a line was left open. Reads a bounded slab at a time.
  // `in_attribute`: the values of a dataset an attribute's object reference
  // points to (h5ls keeps the attribute's continuation prefix); `nested`: inside
  // such a reference's DATA block.
  bool render_values(h5::Id dset, const h5::DatasetDesc& d, std::size_t pre, bool in_attribute = false,
                     bool nested = false) {
    bool per_line = opt.simple || opt.width == 0;
    // h5ls -S ignores -w for dataset values (one value per line, never wrapped).
    std::size_t ncols = opt.width == 0 || opt.simple ? std::numeric_limits<std::size_t>::max()
                                                     : static_cast<std::size_t>(opt.width);
    // Continuation sections of a dataset value start where the value did.
    detail::LineRenderer lr(out, spaces(pre), spaces(pre), ncols, per_line);
    detail::ValueFormat vf = value_format(dset);
    bool regions = is_region(d.type);
    // A wrapped "{" after a long name gets only its indentation (none at the
    // top level); nested inside an object reference's DATA block, h5tools
    // also counts three columns it does not print, as on attribute lines.
    const std::size_t top = opt.simple ? 8 : 9;
    detail::RegionRenderer rr(out, region_layout(spaces(pre), spaces(opt.simple != in_attribute ? pre + 1 : pre),
                                                 spaces(pre > top ? pre - top : 0), ncols, pre > top ? 3 : 0));
    bool object_refs = d.type.kind == TypeDesc::Kind::reference && d.type.ref_kind == TypeDesc::RefKind::object;
    // HDF5 has no memory type for the time class (alone or nested): h5ls
    // prints no values for it and goes on.
    if (h5::contains_kind(d.type, TypeDesc::Kind::time)) return false;
    std::uint64_t total = d.space.kind == h5::SpaceDesc::Kind::scalar ? 1 : d.space.npoints;
    std::uint64_t index = 0;
    bool open_line = false;
    bool unreadable = false;
    std::optional<io::ParallelReader> own_reader;  // opened on the first slab HDF5 cannot read
    for_each_slab(d.space.kind == h5::SpaceDesc::Kind::scalar ? std::vector<std::uint64_t>{} : d.space.dims, d.type.size, d.chunk,
                  [&](const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count) {
                    if (unreadable) return;
                    h5::ValueBuffer vb;
                    try {
                      vb = h5::read_dataset_values(dset, start, count);
                    } catch (const Error&) {
                      // HDF5 cannot read it (a filter it has no plugin for:
                      // PyTables' LZO): h5dig's own codecs may (a deliberate
                      // difference from h5ls, docs/ls.md).
                      try {
                        vb = values_with_h5digs_codecs(dset, own_reader, start, count);
                      } catch (const Error&) {
                        // Neither can (a filter nobody has, a damaged chunk): h5ls
                        // says so in one line and lists the rest of the file.
                        unreadable = true;
                        if (open_line) out << "\n";
                        out << spaces(pre + 8) << "Unable to print data.";
                        open_line = true;
                        return;
                      }
                    }
                    const std::size_t elem = vb.mem_type.size;  // H5Dread/H5Aread pack elements at the memory type's size
                    for (std::uint64_t i = 0; i < vb.count; ++i, ++index) {
                      const std::byte* p = vb.bytes.data() + i * elem;
                      if (object_refs) {
                        render_reference(dset, p, pre, in_attribute);
                        continue;
                      }
                      if (regions) {
                        rr.reference(h5::describe_region_ref(dset, p), index);
                        continue;
                      }
                      std::string text = detail::format_value(vb.mem_type, p, vf);
                      if (index + 1 < total) text += opt.simple ? " " : ",";
                      lr.element(text);
                      open_line = true;
                    }
                  });
    if (regions && rr.wrote()) {
      // h5ls ends region references with an empty line (not inside the DATA
      // block of an object reference).
      if (!nested) out << "\n";
      return true;
    }
    return open_line;
  }

  // The slab's values decoded by h5dig's codec pipeline (io::ParallelReader
  // reads the stored bytes), converted to the native memory type as H5Dread
  // would. Throws Error where h5dig has no codec either.
  static h5::ValueBuffer values_with_h5digs_codecs(h5::Id dset, std::optional<io::ParallelReader>& reader,
                                                   const std::vector<std::uint64_t>& start,
                                                   const std::vector<std::uint64_t>& count) {
    if (!reader) {
      std::string file = h5::file_name_of(dset), name = h5::path_of(dset);
      if (file.empty() || name.empty()) throw Error(ErrorKind::io, "no file or dataset name");
      reader.emplace(file, name);
    }
    io::Selection sel{start, count};
    std::vector<std::byte> stored(reader->output_bytes(sel));
    std::ostringstream no_notes;  // a fallback to H5Dread fails again: nothing to note
    io::ReadOptions options;
    options.threads = 1;
    options.notes = &no_notes;
    reader->read(sel, stored, options);
    std::uint64_t n = 1;
    for (auto c : count) n *= c;
    return h5::values_from_stored(dset, stored, n);
  }

  static bool is_region(const TypeDesc& t) { return t.kind == TypeDesc::Kind::reference && t.ref_kind == TypeDesc::RefKind::region; }

  detail::ValueFormat value_format(h5::Id loc) const {
    detail::ValueFormat vf;
    vf.simple = opt.simple;
    vf.str_repeat = opt.simple ? 0 : 8;
    vf.region_ref = [loc](const std::byte* p) -> std::string {
      bool null = true;
      for (std::size_t i = 0; i < h5::region_ref_size(); ++i) null = null && p[i] == std::byte{0};
      if (null) return "NULL";
      return fmt::format("DATASET \"{}\"", h5::region_ref_name(loc, p));
    };
    vf.object_ref = [loc](const std::byte* p) -> std::string {
      h5::RefTarget t = h5::dereference_object(loc, p);
      if (t.kind.empty()) return "NULL";
      return fmt::format("{}-{}:{} \"\"", t.kind, t.fileno, t.addr);
    };
    return vf;
  }

  detail::RegionLayout region_layout(std::string pre, std::string cont, std::string brace_pre, std::size_t ncols,
                                     std::size_t base_extra) const {
    detail::RegionLayout l;
    l.brace_pre = std::move(brace_pre);
    l.line_pre = std::move(pre);
    l.line_cont = std::move(cont);
    l.ncols = 80;  // h5ls lays region references out at 80 columns whatever -w says...
    l.type_ncols = ncols;  // ...but not the datatype blocks inside them
    l.base_extra = base_extra;
    l.multi_new = !opt.simple;
    return l;
  }

  // Region references of an attribute, one after the other.
  void render_regions(h5::Id loc, const h5::ValueBuffer& vb, detail::RegionLayout layout, std::uint64_t first) {
    detail::RegionRenderer rr(out, std::move(layout));
    const std::size_t elem = vb.mem_type.size;  // H5Dread/H5Aread pack elements at the memory type's size
    for (std::uint64_t i = 0; i < vb.count; ++i) rr.reference(h5::describe_region_ref(loc, vb.bytes.data() + i * elem), first + i);
    if (rr.wrote()) out << "\n";
  }

  // h5ls prints an object reference as the target's kind and address, then
  // the target dataset's values in a nested DATA block.
  void render_reference(h5::Id dset, const std::byte* ref, std::size_t pre, bool in_attribute) {
    h5::RefTarget t = h5::dereference_object(dset, ref);
    if (t.kind.empty()) {
      out << spaces(pre) << "NULL\n";
      return;
    }
    out << spaces(pre) << fmt::format("{}-{}:{} \"\"\n", t.kind, t.fileno, t.addr);
    out << spaces(pre + 3) << "DATA {\n";
    if (t.kind == "DATASET") {
      h5::DatasetDesc nd = h5::describe_dataset(t.object);
      if (nd.space.kind != h5::SpaceDesc::Kind::null && render_values(t.object, nd, pre + 6, in_attribute, true)) out << "\n";
    }
    // h5ls starts the closing "}" on a fresh line, then finds that line too
    // full (it counts three columns more than it printed) and starts another:
    // at narrow widths an indented empty line comes first.
    if (!opt.simple && opt.width != 0 && pre + 3 + 3 + 2 > static_cast<std::size_t>(opt.width)) {
      out << spaces(pre + 3) << "\n";
    }
    out << spaces(pre + 3) << "}\n";
  }

  void list_object(const std::string& path, const h5::ObjectInfo& info, const std::optional<std::string>& first_seen) {
    std::string s = obj_name(path);
    using T = h5::ObjectType;
    const char* kind = info.type == T::group ? "Group" : info.type == T::dataset ? "Dataset" : info.type == T::named_datatype ? "Type" : nullptr;
    if (!kind) s += fmt::format("Unknown type({})", static_cast<int>(info.type));
    if (kind) s += kind;
    if (first_seen) {
      s += ", same as ";
      append_escaped(s, *first_seen, true);
      s += "\n";
      out << s;
      return;
    }
    h5::ObjectId obj;
    try {
      obj = h5::open_object(file, path);
    } catch (const Error&) {
      out << s << " *ERROR*\n";
      return;
    }
    std::optional<h5::DatasetDesc> dset;
    if (info.type == h5::ObjectType::dataset) {
      dset = h5::describe_dataset(obj.get());
      dataset_dims(s, dset->space);
    }
    s += "\n";
    out << s;
    if (opt.verbose) {
      h5::visit_attributes(obj.get(), [&](const h5::AttributeDesc& a) { list_attribute(a); });
      out << fmt::format("    {:<10} {}:{}\n", "Location:", info.fileno, info.addr);
      out << fmt::format("    {:<10} {}\n", "Links:", info.rc);
      if (info.mtime > 0) {
        std::time_t t = static_cast<std::time_t>(info.mtime);
        std::tm tm{};
        bool ok = opt.simple ? gmtime_r(&t, &tm) != nullptr : localtime_r(&t, &tm) != nullptr;
        if (ok) {
          char buf[256];
          std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
          out << fmt::format("    {:<10} {}\n", "Modified:", buf);
        }
      }
      std::string comment = h5::object_comment(obj.get());
      if (!comment.empty()) {
        std::string c = fmt::format("    {:<10} \"", "Comment:");
        append_escaped(c, comment, false);
        out << c << "\"\n";
      }
    }
    if (info.type == h5::ObjectType::dataset) {
      if (opt.verbose) dataset_details(obj.get(), *dset);
      if (opt.data) dump_dataset_values(obj.get(), *dset);
    } else if (info.type == h5::ObjectType::named_datatype && opt.verbose) {
      h5::TypeDesc t = h5::describe_type(obj.get());
      std::string ts = "    Type:      ";
      append_type(ts, t, 15, opt.simple);
      out << ts << "\n";
    }
  }

  void visit(const std::string& oname, std::size_t base_len, bool display_root) {
    auto info = h5::object_info(file, oname);
    if (!info) throw Error(ErrorKind::io, fmt::format("{}: {}: no such object", fname, oname));
    if (info->type == h5::ObjectType::group) {
      name_start = base_len;
      if (display_root) list_object(oname, *info, std::nullopt);
      h5::visit_links(file, oname, opt.recursive, [&](const h5::LinkEntry& e) {
        if (e.link_type == h5::LinkType::hard) list_object(e.path, e.info, e.first_seen);
        else list_link(e, false);
      });
    } else {
      list_object(oname, *info, std::nullopt);
    }
  }
};

}  // namespace

void run_ls(const std::vector<std::string>& paths, const LsOptions& options, std::ostream& out) {
  if (options.json) {
    list_json(paths, options, out);
    return;
  }
  for (const auto& arg : paths) {
    ObjectPath op = split_object_path(arg);
    h5::File file = h5::File::open(op.file);
    if (options.verbose) out << fmt::format("Opened \"{}\" with sec2 driver.\n", op.file);
    Lister l{options, out, file.id(), op.file};
    std::string oname;
    std::size_t base_len = 0;
    bool display_root = false;
    if (op.object.empty()) {
      oname = "/";
      display_root = options.recursive;
      l.name_start = 0;
    } else {
      oname = "/" + op.object;
      base_len = oname.size() - (oname.back() == '/' ? 1 : 0);
      l.name_start = 1;
      auto link = h5::link_info(file.id(), oname);
      if (!link) throw Error(ErrorKind::io, fmt::format("{}: {}: no such object", op.file, op.object));
      if (link->link_type != h5::LinkType::hard) {
        l.list_link(*link, true);
        continue;
      }
    }
    l.visit(oname, base_len, display_root);
  }
}

}  // namespace h5dig::inspect

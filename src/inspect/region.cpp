#include "region.hpp"

#include <fmt/format.h>

#include "render.hpp"

namespace h5dig::inspect::detail {

namespace {
constexpr std::size_t kIndent = 3;  // h5ls's line_indent, "   "
}

// h5tools_simple_prefix: ends the open line and starts a new one.
void RegionRenderer::prefix(int secnum, const std::string* pre) {
  if (cur_column_) out_ << '\n';
  std::string p = pre ? *pre : secnum ? layout_.line_cont : layout_.line_pre;
  p.append(static_cast<std::size_t>(indent_) * kIndent, ' ');
  out_ << p;
  cur_column_ = prev_prefix_len_ = p.size() + (indent_ > 0 ? layout_.extra : layout_.base_extra);
  need_prefix_ = false;
}

// h5tools_render_element: one element, split at its optional line breaks.
void RegionRenderer::render(const std::string& text, std::uint64_t counter, std::size_t ncols, const std::string* pre) {
  const std::size_t suffix = 1;  // elmt_suf2, " "
  std::size_t total = 0;
  for (char c : text) {
    if (c != kSectionBreak) ++total;
  }
  if (layout_.multi_new && cur_column_ + total + suffix > ncols) {
    if (prev_multiline_) need_prefix_ = true;
    else if (prev_prefix_len_ + total + suffix <= ncols) need_prefix_ = true;
  }
  int multiline = 0;
  int secnum = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(kSectionBreak, start);
    if (end == std::string::npos) end = text.size();
    // strtok: empty sections are skipped.
    if (end > start) section(std::string_view(text.data() + start, end - start), secnum, multiline, counter, ncols, pre);
    if (end == text.size()) break;
    start = end + 1;
  }
  prev_multiline_ = multiline > 0;
}

// One section of an element: on the open line if it fits, else on a new one.
void RegionRenderer::section(std::string_view text, int& secnum, int& multiline, std::uint64_t counter,
                             std::size_t ncols, const std::string* pre) {
  const std::size_t suffix = 1;  // elmt_suf2, " "
  if (cur_column_ + text.size() + suffix > ncols) need_prefix_ = true;
  if (need_prefix_) {
    if (secnum) ++multiline;
    prefix(secnum, pre);
  } else if (counter && secnum == 0) {
    out_ << ' ';
    cur_column_ += 1;
  }
  out_ << text;
  cur_column_ += text.size();
  ++secnum;
}

// h5tools_print_datatype: appends `t` to `buffer`; block types render their
// opening line and members on lines of their own and leave "}" in `buffer`.
void RegionRenderer::print_type(std::string& buffer, const h5::DumpType& t) {
  using Kind = h5::DumpType::Kind;
  auto block = [&](const char* head, const std::vector<std::string>& lines) {
    buffer += head;
    render(buffer, 0, layout_.type_ncols);
    ++indent_;
    for (const auto& l : lines) {
      need_prefix_ = true;
      render(l, 0, layout_.type_ncols);
    }
    --indent_;
    need_prefix_ = true;
    buffer = "}";
  };
  switch (t.kind) {
    case Kind::word: buffer += t.text; return;
    case Kind::string: block("H5T_STRING {", t.lines); return;
    case Kind::opaque: block("H5T_OPAQUE {", t.lines); return;
    case Kind::compound:
      buffer += "H5T_COMPOUND {";
      render(buffer, 0, layout_.type_ncols);
      ++indent_;
      for (const auto& m : t.members) {
        need_prefix_ = true;
        buffer.clear();
        print_type(buffer, m.type);
        buffer += fmt::format(" \"{}\";", m.name);
        render(buffer, 0, layout_.type_ncols);
      }
      --indent_;
      need_prefix_ = true;
      buffer = "}";
      return;
    case Kind::enumeration:
      buffer += "H5T_ENUM {";
      render(buffer, 0, layout_.type_ncols);
      ++indent_;
      need_prefix_ = true;
      buffer.clear();
      if (!t.super.empty()) print_type(buffer, t.super[0]);
      buffer += ";";
      render(buffer, 0, layout_.type_ncols);
      for (const auto& l : t.lines) {
        need_prefix_ = true;
        prefix(0);
        render(l, 0, layout_.type_ncols);
      }
      --indent_;
      need_prefix_ = true;
      buffer = "}";
      return;
    case Kind::vlen:
      buffer += "H5T_VLEN { ";
      if (!t.super.empty()) print_type(buffer, t.super[0]);
      buffer += "}";
      return;
    case Kind::array:
      buffer += "H5T_ARRAY { " + t.text;
      if (!t.super.empty()) print_type(buffer, t.super[0]);
      buffer += " }";
      return;
  }
}

void RegionRenderer::reference(const h5::RegionRef& ref, std::uint64_t index) {
  using State = h5::RegionRef::State;
  using Sel = h5::RegionRef::Selection;
  if (ref.state == State::null) {
    need_prefix_ = true;
    render("NULL", 0);
    return;
  }
  need_prefix_ = true;
  render(fmt::format("DATASET \"{}\"", ref.name), index);
  // A reference HDF5 cannot follow (its dataset deleted) ends at the name.
  if (ref.state != State::ok) return;
  // A selection of everything or nothing is neither blocks nor points: h5ls
  // stops after the name.
  if (ref.selection != Sel::blocks && ref.selection != Sel::points) return;
  bool blocks = ref.selection == Sel::blocks;
  render(blocks ? " {" : "{", index, layout_.ncols, &layout_.brace_pre);
  ++indent_;
  need_prefix_ = true;
  // One element whose sections (one per block or point) are rendered as they
  // are read, a bounded batch at a time: the element as a whole never exists.
  {
    int secnum = 0, multiline = 0;
    std::string s = blocks ? "REGION_TYPE BLOCK  " : "REGION_TYPE POINT  ";
    const std::size_t nd = ref.ndims;
    const std::size_t per = blocks ? 2 * nd : nd;
    constexpr std::uint64_t kBatch = 1 << 14;
    std::vector<std::uint64_t> batch;
    for (std::uint64_t first = 0; first < ref.count; first += kBatch) {
      h5::read_region_items(ref, first, kBatch, batch);
      const std::size_t n = per ? batch.size() / per : 0;
      if (n == 0) break;
      for (std::size_t k = 0; k < n; ++k) {
        const std::uint64_t u = first + k;
        if (u) {
          // The previous section ends with the separator.
          s += ",";
          section(s, secnum, multiline, index, layout_.ncols, nullptr);
          s = " ";
        }
        s += fmt::format("{}{}: ", blocks ? "Blk" : "Pt", u);
        const std::uint64_t* c = batch.data() + k * per;
        for (std::size_t v = 0; v < nd; ++v) s += fmt::format("{}{}", v ? "," : "(", c[v]);
        if (blocks) {
          for (std::size_t v = 0; v < nd; ++v) s += fmt::format("{}{}", v ? "," : ")-(", c[nd + v]);
        }
        s += ")";
      }
    }
    section(s, secnum, multiline, index, layout_.ncols, nullptr);
    prev_multiline_ = multiline > 0;
  }
  need_prefix_ = true;
  std::string buffer = "DATATYPE  ";
  ++indent_;
  print_type(buffer, ref.type);
  --indent_;
  render(buffer, index);
  need_prefix_ = true;
  render("DATASPACE " + ref.space, index);
  --indent_;
  need_prefix_ = true;
  render("}", index);
}

}  // namespace h5dig::inspect::detail

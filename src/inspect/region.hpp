// Private to inspect/: h5ls 1.10.8's -d output for dataset region references.
//
// h5ls prints each region reference over several lines in h5dump's words:
//
//          DATASET "/data" {
//             REGION_TYPE BLOCK  Blk0: (1,2)-(2,4), Blk1: ...
//             DATATYPE  H5T_STD_I64LE
//             DATASPACE  SIMPLE { ( 10, 10 ) / ( 10, 10 ) }
//          }
//
// laid out by HDF5's h5tools_render_element, whose column bookkeeping this
// class re-enacts (including where it counts more columns than it prints).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "h5dig/h5/region.hpp"

namespace h5dig::inspect::detail {

struct RegionLayout {
  std::string line_pre;    // prefix of a new line at indent 0
  std::string line_cont;   // prefix of a continuation line at indent 0
  std::string brace_pre;   // prefix when the "{" after the name wraps (h5ls renders
                           // it with an empty line_pre: only its own indentation)
  std::size_t ncols = 80;  // wrap width of the reference's own lines
  std::size_t type_ncols = 80;  // wrap width inside a datatype block (h5ls's -w)
  // h5tools counts some columns that it does not print: `base_extra` at
  // indent 0, `extra` on indented lines.
  std::size_t base_extra = 0;
  std::size_t extra = 3;
  bool multi_new = true;   // h5tools' line_multi_new (off with -S)
};

class RegionRenderer {
 public:
  RegionRenderer(std::ostream& out, RegionLayout layout) : out_(out), layout_(std::move(layout)) {}

  // Renders reference number `index` (counted from 0 within the value).
  void reference(const h5::RegionRef& ref, std::uint64_t index);

  // Whether anything was written (a line is open).
  bool wrote() const { return cur_column_ > 0; }

 private:
  void prefix(int secnum, const std::string* pre = nullptr);
  void render(const std::string& text, std::uint64_t counter) { render(text, counter, layout_.ncols); }
  void render(const std::string& text, std::uint64_t counter, std::size_t ncols, const std::string* pre = nullptr);
  void section(std::string_view text, int& secnum, int& multiline, std::uint64_t counter, std::size_t ncols,
               const std::string* pre);
  void print_type(std::string& buffer, const h5::DumpType& t);

  std::ostream& out_;
  RegionLayout layout_;
  std::size_t cur_column_ = 0;
  std::size_t prev_prefix_len_ = 0;
  bool need_prefix_ = true;
  bool prev_multiline_ = false;
  int indent_ = 0;
};

}  // namespace h5dig::inspect::detail

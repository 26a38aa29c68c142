// Private to inspect/: h5ls's value formatting and line wrapping.
#pragma once

#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

#include "h5dig/h5/describe.hpp"

namespace h5dig::inspect::detail {

// Section break inside one rendered element (h5tools' OPTIONAL_LINE_BREAK):
// where a long compound or array value may continue on the next line.
inline constexpr char kSectionBreak = '\001';

struct ValueFormat {
  bool simple = false;   // -S: space separators, %XX escapes, no repeat runs
  int str_repeat = 8;    // runs longer than this print as 'c' repeats N times
  // A dataset region reference nested in a compound, array or vlen value
  // (h5ls names the referenced dataset); hex bytes when unset.
  std::function<std::string(const std::byte*)> region_ref;
  // Likewise an object reference (h5ls: `DATASET-1:800 ""`).
  std::function<std::string(const std::byte*)> object_ref;
};

// Formats one element of `type` stored in memory at `p` (a native memory
// layout as read by h5::read_*_values).
std::string format_value(const h5::TypeDesc& type, const std::byte* p, const ValueFormat& fmt);

// h5tools_render_element: lays out rendered elements on lines of `ncols`
// columns, starting each line with `line_pre` (continuation sections with
// `line_cont`), separating elements by one space.
class LineRenderer {
 public:
  LineRenderer(std::ostream& out, std::string line_pre, std::string line_cont, std::size_t ncols, bool per_line)
      : out_(out), pre_(std::move(line_pre)), cont_(std::move(line_cont)), ncols_(ncols), per_line_(per_line) {}
  // `text` already carries its trailing separator (",") when not the last.
  void element(const std::string& text);
  std::size_t count() const { return count_; }

 private:
  std::ostream& out_;
  std::string pre_, cont_;
  std::size_t ncols_;
  bool per_line_;
  std::size_t cur_column_ = 0;
  std::size_t prev_prefix_len_ = 0;
  bool need_prefix_ = true;
  bool prev_multiline_ = false;
  std::size_t count_ = 0;
};

// h5ls's words for a datatype (print_type), appended to `s`.
void append_type(std::string& s, const h5::TypeDesc& t, int ind, bool simple);

}  // namespace h5dig::inspect::detail

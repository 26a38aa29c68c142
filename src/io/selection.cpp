#include "h5dig/io/selection.hpp"

#include <fmt/format.h>

#include <charconv>

#include "h5dig/error.hpp"

namespace h5dig::io {

std::uint64_t Selection::element_count() const noexcept {
  std::uint64_t n = 1;
  for (auto c : count) n *= c;
  return n;
}

Selection whole(std::span<const std::uint64_t> shape) {
  Selection sel;
  sel.start.assign(shape.size(), 0);
  sel.count.assign(shape.begin(), shape.end());
  return sel;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An optional signed index; `empty` when the text is blank.
bool parse_index(std::string_view text, std::int64_t& value) {
  text = trim(text);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw_usage(fmt::format("not an index: '{}'", text));
  }
  return true;
}

}  // namespace

Selection parse_selection(std::string_view text, std::span<const std::uint64_t> shape) {
  const std::size_t rank = shape.size();
  Selection sel = whole(shape);
  if (trim(text).empty()) return sel;
  std::vector<std::string_view> items;
  for (std::size_t pos = 0;;) {
    std::size_t comma = text.find(',', pos);
    items.push_back(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  // numpy allows one trailing comma ("5," is a 1-tuple)
  if (items.size() > 1 && trim(items.back()).empty()) items.pop_back();
  if (items.size() > rank) {
    throw_usage(fmt::format("--select {}: {} dimensions given, the dataset has {}", text, items.size(), rank));
  }
  for (std::size_t d = 0; d < items.size(); ++d) {
    const std::string_view item = trim(items[d]);
    const auto extent = static_cast<std::int64_t>(shape[d]);
    auto fail = [&](std::string_view why) {
      throw_usage(fmt::format("--select {}: dimension {} ('{}') {}", text, d, item, why));
    };
    auto resolve = [&](std::int64_t v) { return v < 0 ? v + extent : v; };
    std::int64_t lo = 0, hi = extent;
    try {
      std::size_t colon = item.find(':');
      if (colon == std::string_view::npos) {
        std::int64_t i = 0;
        if (!parse_index(item, i)) fail("is empty");
        lo = resolve(i);
        hi = lo + 1;
      } else {
        std::string_view rest = item.substr(colon + 1);
        if (rest.find(':') != std::string_view::npos) fail("has a step, which is not supported");
        std::int64_t v = 0;
        if (parse_index(item.substr(0, colon), v)) lo = resolve(v);
        if (parse_index(rest, v)) hi = resolve(v);
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::usage && std::string_view(e.what()).starts_with("not an index")) fail(e.what());
      throw;
    }
    if (lo < 0 || hi > extent || lo > hi) {
      fail(fmt::format("is outside the dataset's extent 0:{}", extent));
    }
    if (lo == hi) fail("selects nothing");
    sel.start[d] = static_cast<std::uint64_t>(lo);
    sel.count[d] = static_cast<std::uint64_t>(hi - lo);
  }
  return sel;
}

void check_selection(const Selection& sel, std::span<const std::uint64_t> shape) {
  if (sel.start.size() != shape.size() || sel.count.size() != shape.size()) {
    throw_usage(fmt::format("selection has rank {}, the dataset has rank {}", sel.start.size(), shape.size()));
  }
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (sel.start[d] > shape[d] || sel.count[d] > shape[d] - sel.start[d]) {
      throw_usage(fmt::format("selection {} is outside the dataset's extent in dimension {} (0:{})", to_string(sel), d,
                              shape[d]));
    }
  }
}

std::string to_string(const Selection& sel) {
  std::string s;
  for (std::size_t d = 0; d < sel.rank(); ++d) {
    if (d) s += ',';
    s += fmt::format("{}:{}", sel.start[d], sel.start[d] + sel.count[d]);
  }
  return s;
}

}  // namespace h5dig::io

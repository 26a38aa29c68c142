#include "h5dig/io/selection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>

#include "h5dig/error.hpp"

namespace h5dig::io {

std::uint64_t Selection::element_count() const noexcept {
  std::uint64_t n = 1;
  for (auto c : count) n *= c;
  return n;
}

bool Selection::has_steps() const noexcept {
  for (auto s : step) {
    if (s != 1) return true;
  }
  return false;
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
  if (!sel.step.empty() && sel.step.size() != shape.size()) {
    throw_usage(fmt::format("selection has {} steps for rank {}", sel.step.size(), shape.size()));
  }
  for (std::size_t d = 0; d < shape.size(); ++d) {
    const std::uint64_t step = sel.step_of(d);
    if (step == 0) throw_usage(fmt::format("selection {}: step 0 in dimension {}", to_string(sel), d));
    // The span from the first selected element to one past the last.
    if (sel.count[d] != 0 && (sel.count[d] - 1) > (UINT64_MAX - 1) / step) {
      throw_usage(fmt::format("selection {} overflows in dimension {}", to_string(sel), d));
    }
    const std::uint64_t span = sel.count[d] == 0 ? 0 : (sel.count[d] - 1) * step + 1;
    if (sel.start[d] > shape[d] || span > shape[d] - sel.start[d]) {
      throw_usage(fmt::format("selection {} is outside the dataset's extent in dimension {} (0:{})", to_string(sel), d,
                              shape[d]));
    }
  }
}

std::string to_string(const Selection& sel) {
  std::string s;
  for (std::size_t d = 0; d < sel.rank(); ++d) {
    if (d) s += ',';
    const std::uint64_t step = sel.step_of(d);
    if (step == 1) {
      s += fmt::format("{}:{}", sel.start[d], sel.start[d] + sel.count[d]);
    } else {
      const std::uint64_t stop = sel.count[d] == 0 ? sel.start[d] : sel.start[d] + (sel.count[d] - 1) * step + 1;
      s += fmt::format("{}:{}:{}", sel.start[d], stop, step);
    }
  }
  return s;
}

NumpySelection numpy_selection(std::span<const NumpyIndex> index, std::span<const std::uint64_t> shape) {
  const std::size_t rank = shape.size();
  if (index.size() > rank) {
    throw_usage(fmt::format("{} indices for {} dimension{}", index.size(), rank, rank == 1 ? "" : "s"));
  }
  NumpySelection out;
  out.selection = whole(shape);
  out.selection.step.assign(rank, 1);
  for (std::size_t d = 0; d < rank; ++d) {
    const auto n = static_cast<std::int64_t>(shape[d]);
    if (d >= index.size()) {
      out.shape.push_back(shape[d]);
      continue;
    }
    const NumpyIndex& m = index[d];
    if (!m.is_slice) {
      const std::int64_t i = m.index < 0 ? m.index + n : m.index;
      if (i < 0 || i >= n) {
        throw_usage(fmt::format("index {} is out of range for dimension {} of size {}", m.index, d, n));
      }
      out.selection.start[d] = static_cast<std::uint64_t>(i);
      out.selection.count[d] = 1;
      continue;  // numpy drops the dimension
    }
    const std::int64_t step = m.step.value_or(1);
    if (step < 1) throw_usage(fmt::format("step must be >= 1, not {} (dimension {})", step, d));
    // numpy's slice.indices() for a positive step: negatives count from the end,
    // then both bounds are clamped to [0, n].
    auto clamp = [n](std::int64_t v) {
      if (v < 0) v += n;
      return std::clamp<std::int64_t>(v, 0, n);
    };
    const std::int64_t lo = m.start ? clamp(*m.start) : 0;
    const std::int64_t hi = m.stop ? clamp(*m.stop) : n;
    const std::int64_t count = hi > lo ? (hi - lo + step - 1) / step : 0;
    out.selection.start[d] = count ? static_cast<std::uint64_t>(lo) : 0;
    out.selection.count[d] = static_cast<std::uint64_t>(count);
    out.selection.step[d] = count > 1 ? static_cast<std::uint64_t>(step) : 1;
    out.shape.push_back(static_cast<std::uint64_t>(count));
  }
  return out;
}

NumpySelection parse_numpy_selection(std::string_view text, std::span<const std::uint64_t> shape) {
  auto fail = [&](std::string_view why) { throw_usage(fmt::format("selection '{}': {}", text, why)); };
  std::vector<NumpyIndex> index;
  if (!trim(text).empty()) {
    for (std::size_t pos = 0;;) {
      const std::size_t comma = text.find(',', pos);
      const std::string_view item =
          trim(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
      std::vector<std::string_view> parts;
      for (std::size_t p = 0;;) {
        const std::size_t colon = item.find(':', p);
        parts.push_back(item.substr(p, colon == std::string_view::npos ? std::string_view::npos : colon - p));
        if (colon == std::string_view::npos) break;
        p = colon + 1;
      }
      if (parts.size() > 3) fail(fmt::format("'{}' has more than three ':'-separated parts", item));
      NumpyIndex m;
      try {
        if (parts.size() == 1) {
          m.is_slice = false;
          if (!parse_index(parts[0], m.index)) fail("an empty member");
        } else {
          std::int64_t v = 0;
          if (parse_index(parts[0], v)) m.start = v;
          if (parse_index(parts[1], v)) m.stop = v;
          if (parts.size() == 3 && parse_index(parts[2], v)) m.step = v;
        }
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::usage && std::string_view(e.what()).starts_with("not an index")) fail(e.what());
        throw;
      }
      index.push_back(m);
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  try {
    return numpy_selection(index, shape);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::usage) throw;
    fail(e.what());
  }
  return {};
}

}  // namespace h5dig::io

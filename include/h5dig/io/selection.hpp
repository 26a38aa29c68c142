// Hyperslab selections of a dataset: a start and a count per dimension.
//
// Parsed from numpy-like text, one item per dimension separated by commas:
// `start:stop` (either side may be empty, negative values count from the end,
// as in numpy), `:` (the whole dimension) or a single index `i` (same as
// `i:i+1`: h5py's d[i] drops the axis but the bytes are the same). Missing
// trailing dimensions mean `:`. Unlike numpy, bounds outside the shape are an
// error rather than clipped, and steps are not supported.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace h5dig::io {

struct Selection {
  std::vector<std::uint64_t> start;
  std::vector<std::uint64_t> count;

  std::size_t rank() const noexcept { return start.size(); }
  // Number of selected elements (1 for a rank-0 selection of a scalar).
  std::uint64_t element_count() const noexcept;
  bool operator==(const Selection&) const = default;
};

// The whole of a dataset of `shape`.
Selection whole(std::span<const std::uint64_t> shape);

// Parses `text` against `shape`. Throws Error(usage) naming the offending item
// ("--select 10:2000: dimension 0 is 0:1000") for syntax errors, steps, empty
// ranges, or bounds outside the shape. Thread-safe.
Selection parse_selection(std::string_view text, std::span<const std::uint64_t> shape);

// Checks that `sel` has the shape's rank and lies inside it; throws Error(usage).
void check_selection(const Selection& sel, std::span<const std::uint64_t> shape);

// "10:20,:,0:512"-style text for messages (always start:stop).
std::string to_string(const Selection& sel);

}  // namespace h5dig::io

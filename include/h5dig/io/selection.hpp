// Hyperslab selections of a dataset: a start, a count and a step per dimension
// (element i of dimension d is start[d] + i * step[d]).
//
// Parsed from numpy-like text, one item per dimension separated by commas:
// `start:stop` (either side may be empty, negative values count from the end,
// as in numpy), `:` (the whole dimension) or a single index `i` (same as
// `i:i+1`: h5py's d[i] drops the axis but the bytes are the same). Missing
// trailing dimensions mean `:`. Unlike numpy, bounds outside the shape are an
// error rather than clipped, and steps are not supported.
//
// numpy basic indexing proper (what h5py's d[...] and the h5grove API take) is
// numpy_selection / parse_numpy_selection below: bounds clamped, steps >= 1,
// integer members dropping their dimension from the result's shape.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace h5dig::io {

struct Selection {
  std::vector<std::uint64_t> start;
  std::vector<std::uint64_t> count;
  // Per dimension, >= 1; empty means 1 everywhere (plain start/count hyperslabs).
  std::vector<std::uint64_t> step = {};

  std::size_t rank() const noexcept { return start.size(); }
  std::uint64_t step_of(std::size_t d) const noexcept { return d < step.size() ? step[d] : 1; }
  bool has_steps() const noexcept;
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

// "10:20,:,0:512"-style text for messages (start:stop, and :step when not 1).
std::string to_string(const Selection& sel);

// One member of a numpy basic index: an integer (drops its dimension) or a
// slice start:stop:step whose parts may be absent.
struct NumpyIndex {
  bool is_slice = true;
  std::int64_t index = 0;  // when !is_slice
  std::optional<std::int64_t> start, stop, step;
};

// A numpy basic index resolved against a shape: the hyperslab to read (full
// rank) and the shape numpy gives the result (integer members dropped).
// The bytes ParallelReader::read produces for `selection` are exactly
// h5py's d[index].tobytes(), whose shape is `shape`.
struct NumpySelection {
  Selection selection;
  std::vector<std::uint64_t> shape;
};

// numpy's rules: members apply to the first dimensions, missing ones mean ':';
// integers may be negative (from the end) and must lie in [-n, n); slice bounds
// are clamped to the extent (an empty range selects nothing); step must be
// >= 1 (h5py refuses negative steps). Throws Error(usage) with a one-line
// reason ("step must be >= 1", "index 9 is out of range for dimension 0 of
// size 4", "3 indices for 2 dimensions"). Thread-safe.
NumpySelection numpy_selection(std::span<const NumpyIndex> index, std::span<const std::uint64_t> shape);

// The same from text, as h5grove's `selection` parameter spells it: members
// separated by ',', each `i` or `start:stop[:step]` with optional parts and
// spaces around numbers. Empty text selects everything. Errors as above,
// prefixed "selection 'TEXT': ".
NumpySelection parse_numpy_selection(std::string_view text, std::span<const std::uint64_t> shape);

}  // namespace h5dig::io

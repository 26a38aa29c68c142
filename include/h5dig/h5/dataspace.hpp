// Dataspaces: shapes and selections (H5S).
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "h5dig/h5/error.hpp"
#include "h5dig/h5/handle.hpp"

namespace h5dig::h5 {

class Dataspace {
 public:
  explicit Dataspace(Id owned) : id_(owned) {}
  static Dataspace scalar();
  static Dataspace simple(std::span<const Size> dims);
  static Dataspace simple(std::span<const Size> dims, std::span<const Size> maxdims);

  Id id() const noexcept { return id_.get(); }
  SpaceClass kind() const;       // H5S_SCALAR, H5S_SIMPLE or H5S_NULL
  int rank() const;
  std::vector<Size> dims() const;
  std::vector<Size> maxdims() const;  // kUnlimited where unlimited
  std::uint64_t element_count() const;   // selected points (all, for a fresh space)
  void select_all();
  // `stride` empty: consecutive elements; else one stride (>= 1) per dimension.
  void select_hyperslab(std::span<const Size> start, std::span<const Size> count,
                        std::span<const Size> stride = {});

 private:
  DataspaceId id_;
};

}  // namespace h5dig::h5

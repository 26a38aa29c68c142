// Move-only RAII ownership of HDF5 identifiers (after tensorstore's UniqueHandle).
//
// No header under h5/ includes <hdf5.h>: ids are h5::Id (h5/types.hpp), and the
// close functions are h5dig's (defined in src/h5/handle.cpp, where HDF5 is).
// Code outside h5/ may hold handles but calls the typed wrappers in
// h5/objects.hpp, never the C API.
#pragma once

#include <utility>

#include "h5dig/h5/types.hpp"

namespace h5dig::h5 {

namespace detail {
// H5Fclose, H5Gclose ... with errors at close ignored: there is nothing useful
// to do with them in a destructor.
void close_file(Id id) noexcept;
void close_group(Id id) noexcept;
void close_dataset(Id id) noexcept;
void close_dataspace(Id id) noexcept;
void close_datatype(Id id) noexcept;
void close_plist(Id id) noexcept;
void close_attribute(Id id) noexcept;
void close_object(Id id) noexcept;
}  // namespace detail

// Closes an Id of one kind; `close` must not throw.
template <void (*CloseFn)(Id) noexcept>
struct HidTraits {
  static constexpr Id invalid() noexcept { return kInvalidId; }
  static void close(Id id) noexcept { CloseFn(id); }
};

template <typename Traits>
class UniqueHandle {
 public:
  UniqueHandle() noexcept = default;
  explicit UniqueHandle(Id id) noexcept : id_(id) {}
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : id_(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueHandle() { reset(); }

  Id get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing; the caller now owns the id.
  Id release() noexcept { return std::exchange(id_, Traits::invalid()); }

  void reset(Id id = Traits::invalid()) noexcept {
    if (valid()) Traits::close(id_);
    id_ = id;
  }

 private:
  Id id_ = Traits::invalid();
};

using FileId = UniqueHandle<HidTraits<detail::close_file>>;
using GroupId = UniqueHandle<HidTraits<detail::close_group>>;
using DatasetId = UniqueHandle<HidTraits<detail::close_dataset>>;
using DataspaceId = UniqueHandle<HidTraits<detail::close_dataspace>>;
using DatatypeId = UniqueHandle<HidTraits<detail::close_datatype>>;
using PropListId = UniqueHandle<HidTraits<detail::close_plist>>;
using AttributeId = UniqueHandle<HidTraits<detail::close_attribute>>;
using ObjectId = UniqueHandle<HidTraits<detail::close_object>>;

}  // namespace h5dig::h5

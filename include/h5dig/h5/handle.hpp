// Move-only RAII ownership of HDF5 identifiers (after tensorstore's UniqueHandle).
//
// This header, like every header under h5/, includes <hdf5.h>: the h5 layer is
// the only one allowed to. Code outside it may hold handles but should call the
// typed wrappers in h5/objects.hpp rather than the C API directly.
#pragma once

#include <hdf5.h>

#include <utility>

namespace h5dig::h5 {

// Closes a hid_t of one kind; `close` must not throw (errors at close are ignored,
// as there is nothing useful to do with them in a destructor).
template <herr_t (*CloseFn)(hid_t)>
struct HidTraits {
  static constexpr hid_t invalid() noexcept { return H5I_INVALID_HID; }
  static void close(hid_t id) noexcept { (void)CloseFn(id); }
};

template <typename Traits>
class UniqueHandle {
 public:
  UniqueHandle() noexcept = default;
  explicit UniqueHandle(hid_t id) noexcept : id_(id) {}
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : id_(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueHandle() { reset(); }

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing; the caller now owns the id.
  hid_t release() noexcept { return std::exchange(id_, Traits::invalid()); }

  void reset(hid_t id = Traits::invalid()) noexcept {
    if (valid()) Traits::close(id_);
    id_ = id;
  }

 private:
  hid_t id_ = Traits::invalid();
};

using FileId = UniqueHandle<HidTraits<H5Fclose>>;
using GroupId = UniqueHandle<HidTraits<H5Gclose>>;
using DatasetId = UniqueHandle<HidTraits<H5Dclose>>;
using DataspaceId = UniqueHandle<HidTraits<H5Sclose>>;
using DatatypeId = UniqueHandle<HidTraits<H5Tclose>>;
using PropListId = UniqueHandle<HidTraits<H5Pclose>>;
using AttributeId = UniqueHandle<HidTraits<H5Aclose>>;
using ObjectId = UniqueHandle<HidTraits<H5Oclose>>;

}  // namespace h5dig::h5

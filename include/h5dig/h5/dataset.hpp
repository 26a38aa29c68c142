// Datasets (H5D), with direct chunk I/O.
// One of the typed wrappers h5/objects.hpp gathers; its rules (checked calls,
// one thread at a time) apply.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "h5dig/h5/location.hpp"
#include "h5dig/h5/plist.hpp"

namespace h5dig::h5 {

class Dataset : public Location {
 public:
  explicit Dataset(Id owned) : Location(owned), handle_(owned) {}
  Dataset(Dataset&& other) noexcept : Location(other.id_), handle_(std::move(other.handle_)) {}
  Dataset& operator=(Dataset&& other) noexcept {
    handle_ = std::move(other.handle_);
    id_ = handle_.get();
    return *this;
  }

  Dataspace space() const;
  Datatype type() const;
  PropList create_plist() const;  // H5Dget_create_plist
  Layout layout() const;
  // Chunk shape (empty unless chunked).
  std::vector<Size> chunk_dims() const;
  // Object-header address in the file (H5Oget_info); what format/ starts from.
  Address header_address() const;
  // Bytes allocated for raw data (H5Dget_storage_size).
  Size storage_size() const;
  // File offset of contiguous raw data, or HADDR_UNDEF (H5Dget_offset).
  Address contiguous_offset() const;
  std::string name() const;  // H5Iget_name: a path to it

  void read(Id mem_type, Id mem_space, Id file_space, void* out) const;
  void write(Id mem_type, Id mem_space, Id file_space, const void* in) const;
  void set_extent(std::span<const Size> dims) const;

  // Direct chunk I/O (H5DO in 1.10): raw stored bytes of the chunk at element
  // offset `offset`. read_chunk resizes `out` to the stored size.
  Size chunk_storage_size(std::span<const Size> offset) const;
  void read_chunk(std::span<const Size> offset, std::uint32_t& filter_mask, std::vector<std::byte>& out) const;
  void write_chunk(std::span<const Size> offset, std::uint32_t filter_mask, std::span<const std::byte> data) const;

 private:
  DatasetId handle_;
};

}  // namespace h5dig::h5

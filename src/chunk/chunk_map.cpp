#include "h5dig/chunk/chunk_map.hpp"

#include <algorithm>
#include <numeric>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "h5dig/error.hpp"
#include "h5dig/format/chunk_index.hpp"
#include "h5dig/format/object_header.hpp"
#include "h5dig/format/superblock.hpp"
#include "h5dig/h5/chunk_info.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::chunk {

ChunkMap::ChunkMap(std::vector<std::uint64_t> dataset_shape, std::vector<std::uint64_t> chunk_shape,
                   std::size_t element_size)
    : dataset_shape_(std::move(dataset_shape)), chunk_shape_(std::move(chunk_shape)), element_size_(element_size) {}

std::uint64_t ChunkMap::chunk_nbytes() const noexcept {
  std::uint64_t n = element_size_;
  for (auto c : chunk_shape_) n *= c;
  return n;
}

std::uint64_t ChunkMap::chunk_grid_count() const noexcept {
  std::uint64_t n = 1;
  for (std::size_t d = 0; d < chunk_shape_.size(); ++d) {
    if (chunk_shape_[d] == 0) return 0;
    n *= dataset_shape_[d] / chunk_shape_[d] + (dataset_shape_[d] % chunk_shape_[d] != 0);
  }
  return n;
}

void ChunkMap::add(std::span<const std::uint64_t> offset, const format::ChunkRecord& record) {
  offsets_.insert(offsets_.end(), offset.begin(), offset.end());
  records_.push_back(record);
}

void ChunkMap::reserve(std::size_t n) {
  offsets_.reserve(n * rank());
  records_.reserve(n);
}

void ChunkMap::sort() {
  const std::size_t r = rank();
  std::vector<std::size_t> order(records_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto less = [&](std::size_t a, std::size_t b) {
    return std::lexicographical_compare(offsets_.begin() + a * r, offsets_.begin() + (a + 1) * r,
                                        offsets_.begin() + b * r, offsets_.begin() + (b + 1) * r);
  };
  if (std::is_sorted(order.begin(), order.end(), less)) return;
  std::sort(order.begin(), order.end(), less);
  std::vector<std::uint64_t> offsets(offsets_.size());
  std::vector<format::ChunkRecord> records(records_.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::copy_n(offsets_.begin() + order[i] * r, r, offsets.begin() + i * r);
    records[i] = records_[order[i]];
  }
  offsets_ = std::move(offsets);
  records_ = std::move(records);
}

std::uint64_t ChunkMap::allocated_bytes() const noexcept {
  std::uint64_t n = 0;
  for (const auto& r : records_) n += r.size;
  return n;
}

namespace {

ChunkMap empty_map(const h5::Dataset& dataset) {
  auto dims = dataset.space().dims();
  auto chunk = dataset.chunk_dims();
  return ChunkMap(std::vector<std::uint64_t>(dims.begin(), dims.end()),
                  std::vector<std::uint64_t>(chunk.begin(), chunk.end()), dataset.type().size());
}

ChunkMap map_with_api(const h5::Dataset& dataset) {
  ChunkMap map = empty_map(dataset);
  h5::visit_chunks(dataset, h5::userblock_size(dataset), h5::ChunkQuery::strict,
                   [&](std::span<const std::uint64_t> offset, const format::ChunkRecord& record) { map.add(offset, record); });
  map.set_source("hdf5-api");
  return map;
}

// Reads the index with format/; throws Error(unsupported) for index kinds not decoded.
ChunkMap map_with_format(const h5::Dataset& dataset, const format::FileReader* shared) {
  ChunkMap map = empty_map(dataset);
  h5::flush_if_writable(dataset);
  const std::string path = h5::file_name(dataset);
  // A file HDF5 holds through a driver without a plain file behind it (core
  // without backing store, family members "%d") cannot be reread directly:
  // that is "not handled", so `automatic` falls back to the API.
  std::optional<format::FileReader> opened;
  if (!shared) {
    try {
      opened.emplace(path);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::io) throw;
      throw Error(ErrorKind::unsupported, e.what());
    }
  }
  const format::FileReader& file = shared ? *shared : *opened;
  auto sb = format::read_superblock(file);
  auto header = format::read_dataset_header(file, sb, dataset.header_address());
  if (header.layout.layout_class != format::LayoutClass::chunked)
    throw_usage(fmt::format("{}: {}: dataset is not chunked", path, dataset.name()));
  // Cross-check the decoded header with what HDF5 says.
  if (header.dims != map.dataset_shape() || header.layout.chunk_dims != map.chunk_shape())
    throw_corrupt(fmt::format("{}: {}: object header at address {} disagrees with HDF5 on the shape ({} / chunks {})",
                              path, dataset.name(), header.address, fmt::join(header.dims, "x"),
                              fmt::join(header.layout.chunk_dims, "x")));
  if (!format::index_supported(header))
    throw_unsupported(fmt::format("{}: {}: chunk index {} is not decoded", path, dataset.name(),
                                  format::index_kind_name(header.layout.index)));
  std::uint64_t expected = map.chunk_grid_count();
  if (header.layout.index == format::ChunkIndexKind::btree1 || header.layout.index == format::ChunkIndexKind::implicit)
    map.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(expected, 1u << 20)));
  format::walk_chunk_index(file, sb, header,
                           [&](std::span<const std::uint64_t> offset, const format::ChunkRecord& record) { map.add(offset, record); });
  map.set_source(format::index_kind_name(header.layout.index));
  return map;
}

}  // namespace

ChunkMap map_chunks(const h5::Dataset& dataset, MapMethod method, const format::FileReader* opened) {
  h5::init();
  if (dataset.layout() != h5::Layout::chunked) throw_usage(fmt::format("{}: dataset is not chunked", dataset.name()));
  switch (method) {
    case MapMethod::hdf5_api: return map_with_api(dataset);
    case MapMethod::format: return map_with_format(dataset, opened);
    case MapMethod::automatic:
      try {
        return map_with_format(dataset, opened);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::unsupported) throw;
        return map_with_api(dataset);
      }
  }
  return map_with_api(dataset);
}

}  // namespace h5dig::chunk

// ChunkMap: where every allocated chunk of a chunked dataset lives in the file.
//
// Built in time linear in the chunk count by reading the file's own chunk index
// (format/), with HDF5's H5Dget_chunk_info as the fallback for index kinds not
// handled and as the cross-check in tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "h5dig/format/chunk_record.hpp"
#include "h5dig/format/file_reader.hpp"

namespace h5dig::h5 { class Dataset; }

namespace h5dig::chunk {


class ChunkMap {
 public:
  ChunkMap() = default;
  ChunkMap(std::vector<std::uint64_t> dataset_shape, std::vector<std::uint64_t> chunk_shape,
           std::size_t element_size);

  std::size_t rank() const noexcept { return chunk_shape_.size(); }
  const std::vector<std::uint64_t>& dataset_shape() const noexcept { return dataset_shape_; }
  const std::vector<std::uint64_t>& chunk_shape() const noexcept { return chunk_shape_; }
  std::size_t element_size() const noexcept { return element_size_; }
  // Bytes of one chunk before filtering (chunk elements × element size).
  std::uint64_t chunk_nbytes() const noexcept;
  // Chunks the dataset's extent spans (allocated or not).
  std::uint64_t chunk_grid_count() const noexcept;

  // Allocated chunks, in the order the index yields them (sorted by offset
  // in C order after `sort()`).
  std::size_t size() const noexcept { return records_.size(); }
  // Element coordinates of chunk i's first element, as h5py reports them.
  std::span<const std::uint64_t> offset(std::size_t i) const noexcept {
    return {offsets_.data() + i * rank(), rank()};
  }
  const format::ChunkRecord& record(std::size_t i) const noexcept { return records_[i]; }

  void add(std::span<const std::uint64_t> offset, const format::ChunkRecord& record);
  void reserve(std::size_t n);
  // Sorts chunks by their element offset, C order (what H5Dget_chunk_info's index order is for v1 B-trees).
  void sort();

  std::uint64_t allocated_bytes() const noexcept;  // sum of sizes

  // Which path built the map: "btree1", "single", "implicit", "farray",
  // "earray", "btree2" (format/) or "hdf5-api" (fallback).
  const std::string& source() const noexcept { return source_; }
  void set_source(std::string s) { source_ = std::move(s); }

 private:
  std::vector<std::uint64_t> dataset_shape_;
  std::vector<std::uint64_t> chunk_shape_;
  std::size_t element_size_ = 0;
  std::vector<std::uint64_t> offsets_;  // size() × rank(), flat
  std::vector<format::ChunkRecord> records_;  // the index reader's records, unconverted
  std::string source_;
};

enum class MapMethod { automatic, format, hdf5_api };

// Maps a chunked dataset. `automatic` reads the on-disk index and falls back to
// the HDF5 API where the index kind is not handled. Throws Error(corrupt) naming
// the structure and address for a damaged index; Error(usage) if the dataset is
// not chunked. Enters HDF5: call from the serial (HDF5) thread only.
// `opened`: the dataset's file, already open for preads (read opens it once for
// the index and the chunks); without it the index reader opens the file itself.
ChunkMap map_chunks(const h5::Dataset& dataset, MapMethod method = MapMethod::automatic,
                    const format::FileReader* opened = nullptr);

}  // namespace h5dig::chunk

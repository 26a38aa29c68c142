// Creating chunked datasets the way h5py does, and the few property-list calls
// the writer and the layout lab need (chunk cache, fill value).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

struct ChunkedCreate {
  std::string name;                       // path under the parent; intermediate groups are created
  Id file_type = -1;                   // borrowed: the stored element type
  std::vector<Size> dims;              // current extent
  std::vector<Size> maxdims;           // empty = dims; kUnlimited where unlimited
  std::vector<Size> chunks;
  std::vector<codec::FilterSpec> filters; // recorded as given (write_filter_specs)
  std::vector<std::byte> fill_value;      // empty = HDF5's default (zeros); else one element
  bool track_times = false;               // h5py's default: no Modified time in the header
  // Chunk cache of the dataset access list (rdcc): 0 = HDF5's default (1 MiB, 521 slots).
  std::size_t cache_bytes = 0;
  std::size_t cache_slots = 0;
};

// Creates a chunked dataset with the settings h5py uses for create_dataset:
// fill time ALLOC, object time tracking off (unless asked), intermediate groups
// created. Filters are recorded exactly as given; HDF5 then runs the registered
// filters' set_local (shuffle records the element size), so give values already
// resolved (codec::resolve_filter_specs) to match what HDF5 would record either way.
// Throws Error(io) naming the dataset.
Dataset create_chunked_dataset(const Group& parent, const ChunkedCreate& spec);

// Opens `path` under `parent` with a chunk cache of `bytes` and `slots` (rdcc).
Dataset open_dataset_with_cache(const Group& parent, const std::string& path, std::size_t bytes, std::size_t slots);

// The dataset's user-defined fill value as stored-type bytes, or empty when
// it has none (HDF5's default zeros, or undefined).
std::vector<std::byte> fill_value_bytes(const Dataset& dataset);

// Whether a dataset's creation list records object times (H5Pget_obj_track_times).
bool tracks_times(const Dataset& dataset);

// The smallest prime >= n (HDF5 advises a prime number of cache slots).
std::size_t next_prime(std::size_t n);

}  // namespace h5dig::h5

// Private to serve/: /data and /stats, a dataset's values or a selection of
// them: the numpy selection, the size bound (checked from shape and type
// before anything is read or allocated), the read (ParallelReader, decoding
// outside the HDF5 lock; H5Dread for variable-length data) and the answer's
// encoding.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "entities.hpp"
#include "hdf5_gate.hpp"

namespace h5dig::serve {

enum class Format { json, bin, npy, csv, tiff };

struct DataQuery {
  bool stats = false;         // /stats instead of /data
  std::string selection;      // empty: the whole dataset
  Format format = Format::json;
  bool safe = false;          // dtype=safe
  bool flatten = false;
};

struct Answer {
  std::string body;
  std::string content_type;
  std::string filename;  // non-empty: Content-Disposition: attachment
};

struct DataContext {
  Hdf5Gate& gate;
  std::uint64_t max_selection = 0;
  std::size_t threads = 0;
};

// Throws ApiError (400 selection, 404 path, 413 bound, 422 does not apply,
// 500 read error) with messages naming files by `served` only... except for
// library errors, which the caller scrubs.
Answer answer_data(DataContext& ctx, const std::filesystem::path& real, const std::string& served,
                   const std::string& path, ResolveLinks links, const DataQuery& query);

// "300 MiB", "1 MiB", "512 KiB", "17 bytes".
std::string human_size(std::uint64_t bytes);

}  // namespace h5dig::serve

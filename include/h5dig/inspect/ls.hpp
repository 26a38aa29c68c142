// `h5dig ls`: list HDF5 files the way h5ls 1.10.8 does (byte-identical output
// for -r, -v, -d, -a, -S, -w N), or as a JSON document (docs/ls-json.md).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace h5dig::inspect {

struct LsOptions {
  bool recursive = false;  // -r: list groups recursively, full path names
  bool verbose = false;    // -v: attributes, location, storage, filters, type
  bool data = false;       // -d: dataset (and, with -v, attribute) values
  bool address = false;    // -a: raw data addresses (with -v)
  bool simple = false;     // -S: h5ls's machine-readable variant
  int width = 80;          // -w N: output columns for data; 0 = no wrapping
  bool json = false;       // --json: machine-readable document instead of text
};

// Lists each FILE[/OBJECT] argument on `out`, in order, as h5ls would.
// Throws h5dig::Error (io) naming the file and object when a file cannot be
// opened as HDF5 or the object does not exist; the output written for earlier
// arguments stays written. Not thread-safe (enters HDF5).
void run_ls(const std::vector<std::string>& paths, const LsOptions& options, std::ostream& out);

// Writes the bytes of the dataset named by FILE/DATASET to `out`, as stored
// (the file's element type, row-major), reading a bounded slab at a time.
// Throws Error(io) for missing files/objects, Error(usage-free io) when the
// object is not a dataset, Error(unsupported) for variable-length data.
void run_cat(const std::string& path, std::ostream& out);

}  // namespace h5dig::inspect

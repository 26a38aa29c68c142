// Private to serve/: the one lock around HDF5, and what stays open between
// requests behind it (files for metadata, ParallelReaders for data).
//
// HDF5 is entered from one thread at a time (Debian's HDF5 is not built
// thread-safe, and a thread-safe build serialises anyway). Every call that
// enters HDF5 (opening, describing, H5Dread, destroying handles) happens while
// holding lock(); a ParallelReader whose read() does not enter HDF5 (its
// read_enters_hdf5() is false) decodes with the lock released, so one
// request's decoding never holds up another's metadata.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "h5dig/h5/objects.hpp"
#include "h5dig/io/parallel_reader.hpp"

namespace h5dig::serve {

class Hdf5Gate {
 public:
  Hdf5Gate() = default;
  ~Hdf5Gate();  // closes what is cached (under the lock)
  Hdf5Gate(const Hdf5Gate&) = delete;
  Hdf5Gate& operator=(const Hdf5Gate&) = delete;

  // Also silences HDF5's automatic error printing in the calling thread (a
  // thread-safe HDF5 keeps that setting per thread; h5::init() set the main one's).
  std::unique_lock<std::mutex> lock();

  // With lock() held: the file, opened read-only once and kept open.
  h5::Id file(const std::filesystem::path& real);

  // With lock() held: a reader of `dataset` in `real` for this request alone
  // (an idle one, or a new one), its chunks mapped.
  std::unique_ptr<io::ParallelReader> take_reader(const std::filesystem::path& real, const std::string& dataset);
  // With lock() held: back to the idle ones (the oldest beyond a bound are closed).
  void give_back(std::unique_ptr<io::ParallelReader> reader);

 private:
  static constexpr std::size_t kMaxFiles = 32, kMaxIdleReaders = 32;
  std::mutex mutex_;
  std::list<std::pair<std::string, h5::File>> files_;  // most recently used first
  std::list<std::unique_ptr<io::ParallelReader>> idle_;  // most recently used first
};

}  // namespace h5dig::serve

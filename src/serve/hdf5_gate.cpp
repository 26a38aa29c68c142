#include "hdf5_gate.hpp"

namespace h5dig::serve {

std::unique_lock<std::mutex> Hdf5Gate::lock() {
  std::unique_lock held(mutex_);
  thread_local bool quiet = false;
  if (!quiet) {
    h5::quiet_errors_in_this_thread();
    quiet = true;
  }
  return held;
}

Hdf5Gate::~Hdf5Gate() {
  auto held = lock();
  idle_.clear();
  files_.clear();
}

h5::Id Hdf5Gate::file(const std::filesystem::path& real) {
  const std::string key = real.string();
  for (auto it = files_.begin(); it != files_.end(); ++it) {
    if (it->first == key) {
      files_.splice(files_.begin(), files_, it);
      return files_.front().second.id();
    }
  }
  files_.emplace_front(key, h5::File::open(real));
  if (files_.size() > kMaxFiles) files_.pop_back();
  return files_.front().second.id();
}

std::unique_ptr<io::ParallelReader> Hdf5Gate::take_reader(const std::filesystem::path& real,
                                                         const std::string& dataset) {
  std::unique_ptr<io::ParallelReader> reader;
  for (auto it = idle_.begin(); it != idle_.end(); ++it) {
    if ((*it)->file() == real.string() && (*it)->dataset() == dataset) {
      reader = std::move(*it);
      idle_.erase(it);
      break;
    }
  }
  if (!reader) reader = std::make_unique<io::ParallelReader>(real.string(), dataset);
  reader->allocated_chunks();  // maps the chunks now, under the lock, not inside read()
  return reader;
}

void Hdf5Gate::give_back(std::unique_ptr<io::ParallelReader> reader) {
  idle_.push_front(std::move(reader));
  if (idle_.size() > kMaxIdleReaders) idle_.pop_back();
}

}  // namespace h5dig::serve

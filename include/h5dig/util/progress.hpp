// Progress on stderr for long work: a one-line bar redrawn in place, shown only
// when stderr is a terminal (never in pipes, logs or CI), at most ~10 times a second.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace h5dig::util {

class Progress {
 public:
  // `total` in `unit`s ("B" formats as bytes); `label` starts the line.
  Progress(std::string label, std::uint64_t total, std::string unit = "B");
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe: adds `n` done and redraws if enough time has passed.
  void advance(std::uint64_t n);
  void finish();
  bool enabled() const noexcept { return enabled_; }

 private:
  void draw(bool final);
  std::string label_;
  std::uint64_t total_;
  std::string unit_;
  bool enabled_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool finished_ = false;
};

// "12.3 MB", "1.20 GB": decimal units, as throughput figures are quoted.
std::string format_bytes(double bytes);

// True when stderr is a terminal.
bool stderr_is_terminal();

}  // namespace h5dig::util

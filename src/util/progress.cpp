#include "h5dig/util/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

#include "h5dig/util/worker.hpp"

namespace h5dig::util {

namespace {
// h5dig's stderr, which in a worker is not fd 2 (util/worker.hpp).
void emit(const std::string& s) {
  if (::write(message_fd(), s.data(), s.size()) < 0) {
    // a progress line is not worth an error
  }
}
}  // namespace

bool stderr_is_terminal() { return ::isatty(message_fd()) == 1; }

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000.0 && u < 4) {
    bytes /= 1000.0;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

Progress::Progress(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)), enabled_(stderr_is_terminal()) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  if (enabled_ && !finished_) {
    emit("\r\033[K");
  }
}

void Progress::advance(std::uint64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  std::lock_guard lock(mutex_);
  finished_ = true;
  emit("\r\033[K");
}

void Progress::draw(bool /*final*/) {
  std::uint64_t done = done_.load(std::memory_order_relaxed);
  double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 0.0;
  if (fraction > 1.0) fraction = 1.0;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string amount = unit_ == "B" ? format_bytes(static_cast<double>(done)) + " / " + format_bytes(static_cast<double>(total_))
                                    : fmt::format("{} / {} {}", done, total_, unit_);
  std::string rate = unit_ == "B" && seconds > 0 ? ", " + format_bytes(static_cast<double>(done) / seconds) + "/s" : "";
  emit(fmt::format("\r\033[K{} [{}] {:3.0f}% {}{}", label_, bar, fraction * 100.0, amount, rate));
}

}  // namespace h5dig::util

#include "h5dig/io/output_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "h5dig/error.hpp"
#include "h5dig/util/sizes.hpp"

namespace h5dig::io {

namespace {

// Below this, malloc's pool serves the buffer (its pages are 4 KiB too).
constexpr std::uint64_t kMapFrom = 4u << 20;

// H5DIG_OUTPUT_PAGES=small keeps 4 KiB pages; anything else (or unset) asks
// for transparent huge pages. Read once: every buffer of a process agrees.
bool huge_pages() {
  static const bool huge = [] {
    const char* v = std::getenv("H5DIG_OUTPUT_PAGES");
    return !(v && std::strcmp(v, "small") == 0);
  }();
  return huge;
}

// The huge page size (x86-64's PMD).
constexpr std::uint64_t kHugePage = 2u << 20;

}  // namespace

OutputMemory::OutputMemory(std::uint64_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  if (bytes >= kMapFrom && huge_pages()) {
    // Huge pages by default, as NumPy asks for them (see the header). The kernel
    // places a mapping on a 2 MiB boundary only when its length is a multiple
    // of 2 MiB; otherwise the pages before the first boundary and after the last
    // are faulted in 4 KiB at a time. So: whole huge pages, on a boundary
    // (over-map by one huge page and unmap the unaligned head and tail).
    const std::uint64_t length = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      const auto raw = reinterpret_cast<std::uintptr_t>(p);
      const std::uintptr_t aligned = (raw + kHugePage - 1) / kHugePage * kHugePage;
      if (aligned > raw) ::munmap(p, aligned - raw);
      if (const std::uint64_t tail = raw + length + kHugePage - (aligned + length); tail > 0) {
        ::munmap(reinterpret_cast<void*>(aligned + length), tail);
      }
      (void)::madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
      data_ = reinterpret_cast<std::byte*>(aligned);
      mapped_ = length;
      return;
    }
  } else if (bytes >= kMapFrom) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      (void)::madvise(p, bytes, MADV_NOHUGEPAGE);
      data_ = static_cast<std::byte*>(p);
      mapped_ = bytes;
      return;
    }
  }
  data_ = static_cast<std::byte*>(std::malloc(bytes));
  if (!data_) throw std::bad_alloc();
}

OutputMemory::~OutputMemory() { release(); }

OutputMemory::OutputMemory(OutputMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

OutputMemory& OutputMemory::operator=(OutputMemory&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

void OutputMemory::release() noexcept {
  if (!data_) return;
  if (mapped_) {
    ::munmap(data_, mapped_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = 0;
}

namespace {

std::uint64_t default_keep_limit() {
  return std::min<std::uint64_t>(util::physical_memory() / 8, std::uint64_t{2} << 30);  // 0 when unknown
}

}  // namespace

KeptOutputs& KeptOutputs::process() {
  // Never destroyed: outputs may be given back by other static destructors
  // (a Python array freed at interpreter exit); the kernel unmaps at exit.
  static KeptOutputs* const kept = [] {
    std::uint64_t limit = default_keep_limit();
    if (const char* v = std::getenv("H5DIG_KEEP_OUTPUTS"); v && *v) {
      try {
        limit = util::parse_size(v, "H5DIG_KEEP_OUTPUTS");
      } catch (const Error&) {
        // A bad setting keeps nothing rather than failing every read.
        limit = 0;
      }
    }
    return new KeptOutputs(limit);
  }();
  return *kept;
}

void KeptOutputs::expire(Clock::time_point now) {
  std::size_t old = 0;
  while (old < kept_.size() && now - kept_[old].since > keep_for_) ++old;
  kept_.erase(kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(old));
}

OutputMemory KeptOutputs::take(std::uint64_t bytes) {
  if (bytes >= kMapFrom && limit_ > 0) {
    const std::uint64_t need = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    const std::uint64_t most = need + std::max(need / 4, kHugePage);
    std::unique_lock lock(mutex_);
    expire(Clock::now());
    auto best = kept_.end();
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      const std::uint64_t have = it->memory.mapped_;
      if (have >= need && have <= most && (best == kept_.end() || have < best->memory.mapped_)) best = it;
    }
    if (best != kept_.end()) {
      OutputMemory m = std::move(best->memory);
      kept_.erase(best);
      lock.unlock();
      m.size_ = bytes;
      return m;
    }
  }
  return OutputMemory(bytes);
}

void KeptOutputs::give_back(OutputMemory&& memory) noexcept {
  OutputMemory m = std::move(memory);
  if (!m.data_ || !m.mapped_ || m.mapped_ > limit_) return;  // released here
  // The kernel may take the pages back under pressure instead of keeping them for us.
  (void)::madvise(m.data_, m.mapped_, MADV_FREE);
  std::vector<Kept> dropped;  // released outside the lock
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  expire(now);
  std::uint64_t total = m.mapped_;
  for (const Kept& k : kept_) total += k.memory.mapped_;
  std::size_t evict = 0;
  while (total > limit_ && evict < kept_.size()) total -= kept_[evict++].memory.mapped_;
  try {
    for (std::size_t i = 0; i < evict; ++i) dropped.push_back(std::move(kept_[i]));
    kept_.erase(kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(evict));
    kept_.push_back({std::move(m), now});
  } catch (...) {
    // Out of memory for the list itself: m (if still held) is released.
  }
}

std::uint64_t KeptOutputs::release_all() noexcept {
  std::vector<Kept> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(kept_);
  }
  std::uint64_t bytes = 0;
  for (const Kept& k : all) bytes += k.memory.mapped_;
  return bytes;
}

std::uint64_t KeptOutputs::kept_bytes() {
  std::lock_guard lock(mutex_);
  expire(Clock::now());
  std::uint64_t bytes = 0;
  for (const Kept& k : kept_) bytes += k.memory.mapped_;
  return bytes;
}

}  // namespace h5dig::io

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

}  // namespace

OutputMemory::OutputMemory(std::uint64_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  if (bytes >= kMapFrom) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      // Huge pages by default, as NumPy asks for them (see the header).
      (void)::madvise(p, bytes, huge_pages() ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
      data_ = static_cast<std::byte*>(p);
      mapped_ = true;
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
      mapped_(std::exchange(other.mapped_, false)) {}

OutputMemory& OutputMemory::operator=(OutputMemory&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
  }
  return *this;
}

void OutputMemory::release() noexcept {
  if (!data_) return;
  if (mapped_) {
    ::munmap(data_, size_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
}

}  // namespace h5dig::io

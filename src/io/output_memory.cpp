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

}  // namespace h5dig::io

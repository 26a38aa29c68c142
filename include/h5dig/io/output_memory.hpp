// Memory and file writes for large outputs. What the first touch of a large
// output costs depends on the machine and on what ran before (docs/read.md,
// "Memory state").
//
// A fresh process's first touch of a large output is the dominant cost of a
// read on a virtual machine whose hypervisor takes back freed guest memory
// (free page reporting): every first write to a page the host reclaimed is
// a trip to the host. Which page size costs less depends on the hypervisor,
// so the choice is measured, not assumed (docs/read.md, "Memory state"):
//   - on the 2026-12 machines (PVM, free pages reported in 8 MiB blocks, a
//     4 KiB fault ~10 us), huge pages cost half of 4 KiB pages right after
//     h5py (0.43-0.60 s against 0.86-1.09 s for 419 MB) and a tenth back to
//     back;
//   - on the 2026-11 machines (2 MiB reporting blocks), 4 KiB pages were the
//     cheaper and steadier choice.
// Anonymous outputs therefore ask for transparent huge pages, as NumPy does
// (so h5dig and h5py pay alike); H5DIG_OUTPUT_PAGES=small restores 4 KiB
// pages. File outputs are written with pwrite in pieces below 2 MiB
// (util::write_at: the page cache sizes its folios by the write, and an mmap's fault readahead
// asks for 2 MiB folios and zeroes them first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace h5dig::io {

// A large buffer written once per use: uninitialised (in practice zero pages
// that nothing here touches, so the first write to each page faults it in on
// the writing thread: the decoding threads then fault in their own part, a
// huge page at a time). From 4 MiB it is a mapping of its own, in whole huge
// pages starting on a 2 MiB boundary (unless H5DIG_OUTPUT_PAGES=small);
// Python's large result arrays live in one too (python/src/dataset.cpp).
class OutputMemory {
 public:
  OutputMemory() = default;
  explicit OutputMemory(std::uint64_t bytes);
  ~OutputMemory();
  OutputMemory(OutputMemory&& other) noexcept;
  OutputMemory& operator=(OutputMemory&& other) noexcept;
  OutputMemory(const OutputMemory&) = delete;
  OutputMemory& operator=(const OutputMemory&) = delete;

  std::span<std::byte> data() const noexcept { return {data_, size_}; }
  std::uint64_t size() const noexcept { return size_; }

 private:
  void release() noexcept;
  std::byte* data_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t mapped_ = 0;  // bytes of our own mapping (whole huge pages), or 0: malloc's
};

}  // namespace h5dig::io

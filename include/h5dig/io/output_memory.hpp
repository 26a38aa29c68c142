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

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

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
  // Bytes of its own mapping (whole huge pages), or 0 when malloc's pool holds it.
  std::uint64_t mapped() const noexcept { return mapped_; }

 private:
  friend class KeptOutputs;
  void release() noexcept;
  std::byte* data_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t mapped_ = 0;  // bytes of our own mapping (whole huge pages), or 0: malloc's
};

// Large outputs kept after their last use, for the next output of about the
// same size: a notebook's loop reads a dataset, works on it, drops it and reads
// the next. Reusing a mapping skips the first touch of every page, which costs
// the kernel's zeroing everywhere and, on a virtual machine that reports freed
// memory to its host, a trip to the host per page: 0.3-0.6 s of system time
// for 419 MB on the 2026-12 machines once memory has been free for 2 s
// (docs/read.md, "Memory state"). Allocators keep freed memory for the same
// reason (jemalloc for 10 s by default; glibc below its mmap threshold).
//
// Bounds: mappings only (from 4 MiB), at most `limit` bytes in all and for
// at most 10 s (both checked whenever an output is taken or given back). A
// kept mapping is marked MADV_FREE: under memory pressure the kernel takes
// its pages back without swapping, and a later write simply gets fresh ones.
// Contents are whatever the last use left: outputs are written whole
// (ParallelReader fills unallocated chunks, as it must for a caller's buffer).
class KeptOutputs {
 public:
  // The process's, bounded by H5DIG_KEEP_OUTPUTS (bytes, with an optional
  // K/M/G suffix; 0 keeps nothing), by default 1/8 of physical memory up to
  // 2 GiB.
  static KeptOutputs& process();

  explicit KeptOutputs(std::uint64_t limit, std::chrono::milliseconds keep_for = std::chrono::seconds(10))
      : limit_(limit), keep_for_(keep_for) {}
  // A kept mapping that fits `bytes` with at most a quarter (or one huge
  // page) to spare, or a new OutputMemory.
  OutputMemory take(std::uint64_t bytes);
  // Keeps `memory` if it is a mapping within the bounds; releases it otherwise.
  void give_back(OutputMemory&& memory) noexcept;
  // Releases everything kept; returns the bytes released.
  std::uint64_t release_all() noexcept;
  // What is kept now (after letting go of what waited too long).
  std::uint64_t kept_bytes();
  std::uint64_t limit() const noexcept { return limit_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Kept {
    OutputMemory memory;
    Clock::time_point since;
  };
  void expire(Clock::time_point now);  // mutex_ held
  std::mutex mutex_;
  std::vector<Kept> kept_;  // oldest first
  std::uint64_t limit_;
  std::chrono::milliseconds keep_for_;
};

}  // namespace h5dig::io

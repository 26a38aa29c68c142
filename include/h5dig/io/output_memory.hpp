// Memory and file writes for large outputs, chosen so that their cost does not
// depend on what ran on the machine before (docs/read.md, "Memory state").
//
// On a virtual machine whose hypervisor takes back freed guest memory (free
// page reporting hands every free 2 MiB block back to the host), the first
// touch of a fresh 2 MiB block costs ~10x a normal page fault; smaller free
// pieces are never handed back. So: never ask the kernel for 2 MiB at once.
// Anonymous outputs stay on 4 KiB pages (no transparent huge pages, whatever
// the system setting), and file outputs are written with pwrite in pieces
// below 2 MiB (util::write_at: the page cache sizes its folios by the write,
// and an mmap's fault readahead asks for 2 MiB folios and zeroes them first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace h5dig::io {

// A large buffer written once per use: uninitialised (in practice zero pages
// that nothing here touches, so the first write to each page faults it in on
// the writing thread: the decoding threads then fault in their own part).
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
  bool mapped_ = false;
};

}  // namespace h5dig::io

// File descriptors: positional writes of large outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace h5dig::util {

// pwrite all of `bytes` at `offset` of `fd`, in pieces below 2 MiB (the page
// cache sizes its folios by the write; see io/output_memory.hpp for why 2 MiB
// matters here). Returns 0, or the errno of the failure with `*failed_at` (if
// given) set to the byte where it happened; a pwrite making no progress is EIO.
int pwrite_all(int fd, std::uint64_t offset, std::span<const std::byte> bytes,
               std::uint64_t* failed_at = nullptr) noexcept;

// The same, throwing Error(io) "WHAT: cannot write at byte N: <reason>" (a full
// disk included).
void write_at(int fd, std::uint64_t offset, std::span<const std::byte> bytes, const std::string& what);

}  // namespace h5dig::util

// Byte counts as people write them ("256MiB", "1G", "1048576"), and the
// machine's memory to weigh them against.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace h5dig::util {

// A byte count with an optional unit (B, K/KB/KiB, M/MB/MiB, G/GB/GiB; all
// powers of 1024, any case, spaces ignored). Throws a usage error naming
// `what` (an option or variable) when `text` is not one.
std::uint64_t parse_size(const std::string& text, std::string_view what);

// This machine's physical memory in bytes (sysconf), or 0 when the system does
// not say. Read once.
std::uint64_t physical_memory();

}  // namespace h5dig::util

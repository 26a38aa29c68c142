// The checksum HDF5 puts on its version-2 metadata structures (superblock v2/3,
// object header v2, fixed/extensible arrays, v2 B-trees): Bob Jenkins' lookup3
// `hashlittle` with initial value 0 (the file format specification, "Checksum").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace h5dig::format {

// lookup3 hashlittle of `data` with `initval`. Pure; thread-safe.
std::uint32_t lookup3(std::span<const std::byte> data, std::uint32_t initval = 0) noexcept;

}  // namespace h5dig::format

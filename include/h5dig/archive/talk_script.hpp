// The talk's h5zip script (../shared/seed/hdf5-talk.md, "Abusing HDF5 1") is the
// peer h5dig's archive is tested and measured against. It is the talk's code, not
// ours, so h5dig keeps no copy of it: it is read out of the talk itself.
#pragma once

#include <filesystem>
#include <string>

namespace h5dig::archive {

// Where the talk is looked for: $H5DIG_TALK if set, else `fallback`.
std::filesystem::path talk_path(const std::filesystem::path& fallback);

// The Python source of the talk's h5zip script: the ```python block of `talk_md`
// that defines h5zip(). Throws Error(io) naming the file if it cannot be read or
// holds no such block. Thread-safe.
std::string talk_h5zip_script(const std::filesystem::path& talk_md);

}  // namespace h5dig::archive

// The demo datasets: the talk's 512^3 stack and detector-like Poisson frames,
// written through io::ChunkWriter (direct chunk write, encoders on N threads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::lab {

struct WriteSettings {
  codec::ParsedFilters filters;     // as parsed from --filter
  std::vector<h5::Size> chunks;      // empty = the command's default
  std::size_t threads = 0;          // 0 = all cores
  std::uint64_t memory_limit = 0;   // 0 = io::kDefaultMemoryLimit
};

struct StackOptions {
  h5::Size size = 512;  // frames, rows and columns: the talk's {512, 512, 512}
  WriteSettings write;
};

// Writes OUT with dataset /data {size, size, size} uint16, frame j filled with j
// (the talk's stack), default chunks {1, size, size} and gzip level 4. Prints one
// summary line to `out`. Throws Error (usage for bad chunks/filters, io on failure).
void run_make_stack(const std::filesystem::path& path, const StackOptions& options, std::ostream& out);

struct FramesOptions {
  h5::Size frames = 100;
  std::vector<h5::Size> shape = {1024, 1024};  // rows, columns
  double mean = 0.5;                           // Poisson mean counts per pixel
  std::uint64_t seed = 1;
  WriteSettings write;                         // default chunks {1, rows, cols}, filter shuffle,gzip=4
};

// Writes OUT with /data {frames, rows, cols} uint16 (maxshape unlimited along the
// frames, extended as frames arrive) of Poisson counts. Deterministic for a seed.
void run_make_frames(const std::filesystem::path& path, const FramesOptions& options, std::ostream& out);

// One frame of Poisson(mean) uint16 counts (frame `index` of the stream `seed`).
// Thread-safe; deterministic.
void poisson_frame(std::uint64_t seed, std::uint64_t index, double mean, std::uint16_t* out, std::size_t n);

// "1,512,512" -> {1, 512, 512}; Error(usage) naming `what` on bad input.
std::vector<h5::Size> parse_shape(const std::string& text, const std::string& what);

}  // namespace h5dig::lab

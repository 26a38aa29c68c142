// Shared --filter/--chunks/-t/--memory-limit options of the writing commands
// (make, repack). Parsing only: the library functions take the parsed values.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/lab/make.hpp"

namespace h5dig::tool {

struct WriteArgs {
  std::string filter;
  std::string chunks;
  std::size_t threads = 0;
  std::string memory_limit;
};

inline void add_write_options(CLI::App& cmd, WriteArgs& args, const std::string& default_filter,
                              const std::string& chunks_help) {
  cmd.add_option("-t,--threads", args.threads, "Encoder threads (0 = all cores)")->default_val(0);
  cmd.add_option("--filter", args.filter,
                 "Filters in pipeline order: shuffle,gzip=4 | bslz4 | lz4 | zstd=3 | szip[=nn|ec[:8]] | lzf | "
                 "bzip2=9 | lzo | fletcher32 | none; gzip=4:zlib deflates through zlib (h5py's bytes)")
      ->default_str(default_filter);
  cmd.add_option("--chunks", args.chunks, chunks_help);
  cmd.add_option("--memory-limit", args.memory_limit,
                 "Most memory for incomplete chunks, in MiB (or with G suffix) [default: 1024]");
}

std::uint64_t parse_memory_limit(const std::string& text);

inline lab::WriteSettings to_settings(const WriteArgs& args, const std::string& default_filter) {
  lab::WriteSettings s;
  s.filters = codec::parse_filter_specs(args.filter.empty() ? default_filter : args.filter);
  if (!args.chunks.empty()) s.chunks = lab::parse_shape(args.chunks, "--chunks");
  s.threads = args.threads;
  if (!args.memory_limit.empty()) s.memory_limit = parse_memory_limit(args.memory_limit);
  return s;
}

}  // namespace h5dig::tool

// h5dig repack: rechunk / recompress a dataset or a whole file in parallel.
#include <iostream>

#include "commands.hpp"
#include "h5dig/io/repack.hpp"
#include "h5dig/lab/make.hpp"
#include "write_options.hpp"

namespace h5dig::tool {

void add_repack_command(CLI::App& app) {
  struct Args {
    std::string in, out;
    WriteArgs w;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("repack", "Rechunk and recompress a dataset, or a whole file, on every core.");
  cmd->add_option("IN", args->in, "Input FILE[/OBJECT] (a dataset or group; the whole file without one)")
      ->required();
  cmd->add_option("OUT", args->out, "Output OUT.h5[/OBJECT] (written to a temporary name, then renamed)")
      ->required();
  cmd->add_option("-t,--threads", args->w.threads, "Encoder threads (0 = all cores)")->default_val(0);
  cmd->add_option("--filter", args->w.filter,
                  "Filters in pipeline order: shuffle,gzip=4 | bslz4 | lz4 | zstd=3 | szip[=nn|ec[:8]] | lzf | "
                  "bzip2=9 | lzo | fletcher32 | none; gzip=4:zlib deflates through zlib [default: keep the input's]");
  cmd->add_option("--chunks", args->w.chunks, "Chunk shape, e.g. 1,1024,1024 [default: keep the input's]");
  cmd->add_option("--memory-limit", args->w.memory_limit,
                  "Most memory for incomplete chunks, in MiB (or with G suffix) [default: 1024]");
  cmd->footer(
      "Groups, attributes, soft/external/hard links are kept; datasets h5dig cannot chunk (scalar,\n"
      "variable-length) are copied as stored. Input filters are decoded by h5dig itself (szip, LZF,\n"
      "bzip2 and PyTables' LZO included: no plugin needed).\n"
      "Examples:\n"
      "  h5dig repack --filter shuffle,gzip=4 raw.h5/data packed.h5\n"
      "  h5dig repack -t 8 --filter bslz4 --chunks 1,1024,1024 scan.nxs scan-bslz4.nxs\n"
      "  h5dig repack --chunks 200,1,1024 frames.h5/data columns.h5/data\n"
      "  h5dig repack --filter shuffle,gzip=4 pytables-lzo.h5 gzip.h5");
  cmd->callback([args] {
    io::RepackOptions o;
    o.threads = args->w.threads;
    if (!args->w.filter.empty()) o.filters = codec::parse_filter_specs(args->w.filter);
    if (!args->w.chunks.empty()) o.chunks = lab::parse_shape(args->w.chunks, "--chunks");
    if (!args->w.memory_limit.empty()) o.memory_limit = parse_memory_limit(args->w.memory_limit);
    io::run_repack(args->in, args->out, o, std::cout);
  });
}

}  // namespace h5dig::tool

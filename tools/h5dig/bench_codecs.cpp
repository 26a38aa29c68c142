// `h5dig bench codecs`: h5dig's codecs against zlib, libzstd and HDF5's own
// filters and plugins, on detector-like frames and text.
#include <iostream>

#include "commands.hpp"
#include "h5dig/bench/codec_bench.hpp"

namespace h5dig::tool {

void add_bench_codecs_command(CLI::App& bench) {
  auto opts = std::make_shared<bench::CodecBenchOptions>();
  auto* cmd = bench.add_subcommand(
      "codecs", "Codec speed: h5dig against zlib, libzstd and HDF5's filters and plugins, one core.");
  cmd->add_option("--frames", opts->frames, "Detector frames, one chunk each [default: 8]");
  cmd->add_option("--side", opts->frame_side, "Frame side in pixels (uint16, Poisson mean 0.5) [default: 1024]");
  cmd->add_option("--text-mib", opts->text_mib, "MiB of text, in 1 MiB chunks [default: 16]");
  cmd->add_option("-r,--repeat", opts->repeat, "Timed pairs (h5dig and the reference alternate); medians of the per-pair ratios [default: 5]");
  cmd->add_option("--filter", opts->filters, "Only these cases (repeatable): " +
                                                 [] {
                                                   std::string s;
                                                   for (const auto& n : bench::codec_bench_cases())
                                                     s += (s.empty() ? "" : ", ") + n;
                                                   return s;
                                                 }());
  cmd->add_option("--workdir", opts->workdir, "Directory for the HDF5 reference files [default: a temporary one]");
  cmd->add_flag("--levels", opts->levels, "Compare zlib's compression levels with libdeflate's and with h5dig's gzip=4 encoder instead");
  cmd->add_option("--zlib-level", opts->zlib_level, "With --levels: only this zlib level [default: all, 1-9]")
      ->check(CLI::Range(1, 9));
  cmd->footer(
      "Examples:\n"
      "  h5dig bench codecs                         the full table (Markdown) on stdout\n"
      "  h5dig bench codecs --filter deflate -r 3   one filter, 3 runs\n"
      "  h5dig bench codecs --levels                the level table behind gzip=N\n"
      "  h5dig bench codecs --levels --zlib-level 4 the row of HDF5's default level only (faster)\n"
      "scripts/bench_codecs runs this and writes the table into docs/benchmarks.md.");
  cmd->callback([opts] { bench::run_bench_codecs(*opts, std::cout); });
}

}  // namespace h5dig::tool

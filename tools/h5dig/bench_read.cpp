// `h5dig bench read`: h5dig's parallel read against H5Dread and the raw decode kernel.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/io/read_command.hpp"

namespace h5dig::tool {

void add_bench_read_command(CLI::App& bench) {
  auto opts = std::make_shared<io::BenchReadOptions>();
  auto* cmd = bench.add_subcommand("read", "Time a whole-dataset read: H5Dread, h5dig at 1..N threads, and the decode kernel alone.");
  cmd->add_option("object", opts->object, "FILE/DATASET to read")->required();
  cmd->add_option("-t,--threads", opts->max_threads,
                  fmt::format("largest thread count to try [default: {}, one per core]", exec::default_threads()));
  cmd->add_option("-r,--repeat", opts->repeat, "runs per row; the median is shown [default: 3]");
  cmd->footer(
      "Every row reads the whole dataset after one warm-up read (page cache warm for all), into a fresh\n"
      "buffer unless it says otherwise; each times the read call alone (not the buffer's release).\n"
      "The decode kernel rows pre-read every stored chunk into memory and time only their decoding on N\n"
      "threads: into a fresh output buffer and into a reused one (a read's memory work without its I/O,\n"
      "the practical limit of a parallel read), and into a per-thread scratch buffer that stays in cache\n"
      "(the bare decoder speed: nothing decoded reaches memory).\n\n"
      "Example:\n"
      "  h5dig bench read -t 2 frames.h5/data");
  cmd->callback([opts] { io::run_bench_read(*opts, std::cout); });
}

}  // namespace h5dig::tool

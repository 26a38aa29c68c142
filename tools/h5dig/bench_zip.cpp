// h5dig bench zip: h5dig against h5ar and the talk's h5py script, one run.
#include <iostream>

#include "commands.hpp"
#include "h5dig/archive/archive.hpp"

namespace h5dig::tool {

void add_bench_zip_command(CLI::App& bench) {
  struct Options {
    h5dig::archive::BenchZipOptions bench;
    std::string dir;
    std::string work;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand("zip", "Archive speed: zip and unzip DIR with h5dig, h5ar and the talk's h5py "
                                          "script, side by side.");
  cmd->add_option("-t,--threads", opts->bench.threads, "h5dig threads (0: all cores)")->capture_default_str();
  cmd->add_option("-l,--level", opts->bench.level, "h5dig deflate level")->capture_default_str();
  cmd->add_option("-r,--repeat", opts->bench.repeat, "Runs per tool (the median is reported)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--markdown", opts->bench.markdown, "Print a markdown table (for docs/benchmarks.md)");
  cmd->add_option("--work-dir", opts->work, "Scratch directory for archives and extractions [default: $TMPDIR]");
  cmd->add_option("--python", opts->bench.python, "Python with h5py, for the talk's script")->capture_default_str();
  cmd->add_option("--talk", opts->bench.talk, "The talk (hdf5-talk.md), whose h5zip script is run as the peer")
      ->capture_default_str();
  cmd->add_option("--h5ar", opts->bench.h5ar, "The h5ar binary")->capture_default_str();
  cmd->add_option("DIR", opts->dir, "The tree to archive")->required();
  cmd->footer(
      "Example:\n"
      "  h5dig bench zip -r 3 /tmp/python3.11-copy     (scripts/bench_zip prepares the tree and records the table)");
  cmd->callback([opts] {
    opts->bench.work_dir = opts->work;
    h5dig::archive::run_bench_zip(opts->dir, opts->bench, std::cout);
  });
}

}  // namespace h5dig::tool

// h5dig bench write: HDF5's own write path against ChunkWriter, in one process.
#include <iostream>

#include "commands.hpp"
#include "h5dig/lab/bench_write.hpp"
#include "h5dig/lab/make.hpp"

namespace h5dig::tool {

void add_bench_write_command(CLI::App& bench) {
  auto o = std::make_shared<lab::BenchWriteOptions>();
  auto shape = std::make_shared<std::string>("1024,1024");
  auto dir = std::make_shared<std::string>();
  auto* cmd = bench.add_subcommand("write", "Write the same frames through HDF5's filters and through h5dig, side by side.");
  cmd->add_option("--frames", o->frames, "Frames (generated in memory first)")->default_val(100);
  cmd->add_option("--shape", *shape, "Frame rows,columns")->default_val("1024,1024");
  cmd->add_option("--mean", o->mean, "Poisson mean counts per pixel")->default_val(0.5);
  cmd->add_option("--filter", o->filter, "Filter spec, as for make/repack")->default_val("shuffle,gzip=4");
  cmd->add_option("-t,--threads", o->threads, "h5dig encoder threads (0 = all cores)")->default_val(0);
  cmd->add_option("--dir", *dir, "Directory for the (temporary) files [default: $TMPDIR]");
  cmd->footer(
      "For the comparison with h5py and h5repack from files on disk, run scripts/bench_write.\n"
      "Examples:\n"
      "  h5dig bench write\n"
      "  h5dig bench write --frames 200 --filter bslz4 -t 2");
  cmd->callback([o, shape, dir] {
    auto s = lab::parse_shape(*shape, "--shape");
    o->shape.assign(s.begin(), s.end());
    o->dir = *dir;
    lab::run_bench_write(*o, std::cout);
  });
}

}  // namespace h5dig::tool

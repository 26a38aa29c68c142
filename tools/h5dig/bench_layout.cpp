// h5dig bench layout: the talk's chunk-shape experiment with h5dig beside HDF5.
#include <iostream>

#include "commands.hpp"
#include "h5dig/lab/layout.hpp"

namespace h5dig::tool {

void add_bench_layout_command(CLI::App& bench) {
  auto o = std::make_shared<lab::LayoutOptions>();
  auto only = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto* cmd = bench.add_subcommand("layout", "Run the talk's chunk-shape experiment: HDF5 and h5dig side by side.");
  cmd->add_option("--size", o->size, "The stack is {SIZE,SIZE,SIZE} uint16")->default_val(512);
  cmd->add_option("--bad-frames", o->bad_frames,
                  "Frames written with the bad shape and default cache before extrapolating")
      ->default_val(8);
  cmd->add_option("-t,--threads", o->threads, "h5dig encoder threads (0 = all cores)")->default_val(0);
  cmd->add_option("--level", o->level, "Deflate level")->default_val(4)->check(CLI::Range(0, 9));
  cmd->add_option("--dir", *dir, "Directory for the (temporary) files [default: $TMPDIR]");
  cmd->add_option("--only", *only, "Comma-separated rows: hdf5-good,hdf5-bad,hdf5-bad-cache,h5dig-good,h5dig-bad");
  cmd->add_flag("--markdown", o->markdown, "Print a Markdown table");
  cmd->footer(
      "HDF5 rows write through H5Dwrite with HDF5's deflate filter and chunk cache, as the talk's h5py\n"
      "script does; h5dig rows write through ChunkWriter (libdeflate on N threads, H5Dwrite_chunk).\n"
      "Examples:\n"
      "  h5dig bench layout\n"
      "  h5dig bench layout --size 256 --bad-frames 4 --markdown");
  cmd->callback([o, only, dir] {
    o->dir = *dir;
    if (!only->empty()) o->only = CLI::detail::split(*only, ',');
    lab::run_bench_layout(*o, std::cout);
  });
}

}  // namespace h5dig::tool

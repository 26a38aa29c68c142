#include "commands.hpp"

namespace h5dig::tool {

void add_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Run a side-by-side experiment: h5dig against HDF5 and its peers.");
  bench->require_subcommand(1);
  add_bench_codecs_command(*bench);
  add_bench_read_command(*bench);
  add_bench_layout_command(*bench);
  add_bench_write_command(*bench);
  add_bench_zip_command(*bench);
}

}  // namespace h5dig::tool

// Placeholder: built by issue 6. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_bench_layout_command(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("layout", "The talk's chunk-shape experiment, with h5dig beside HDF5.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("layout: not built yet (issue 6)"); });
}

}  // namespace h5dig::tool

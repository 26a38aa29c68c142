// Placeholder: built by issue 6. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_bench_write_command(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("write", "Parallel write against h5py-style chunk-by-chunk writes.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("write: not built yet (issue 6)"); });
}

}  // namespace h5dig::tool

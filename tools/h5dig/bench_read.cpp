// Placeholder: built by issue 5. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_bench_read_command(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("read", "Parallel read against H5Dread and the raw decode kernel.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("read: not built yet (issue 5)"); });
}

}  // namespace h5dig::tool

// Placeholder: built by issue 7. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_bench_zip_command(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("zip", "Archive speed: h5dig against h5ar and the talk's script.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("zip: not built yet (issue 7)"); });
}

}  // namespace h5dig::tool

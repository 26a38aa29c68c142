// Placeholder: built by issue 3. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_bench_codecs_command(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("codecs", "Codec speed: h5dig against zlib and HDF5's filters and plugins.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("codecs: not built yet (issue 3)"); });
}

}  // namespace h5dig::tool

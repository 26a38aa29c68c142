// Placeholder: built by issue 6. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_repack_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("repack", "Rechunk and recompress a dataset or a whole file in parallel.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("repack: not built yet (issue 6)"); });
}

}  // namespace h5dig::tool

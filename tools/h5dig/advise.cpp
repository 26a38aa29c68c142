// Placeholder: built by issue 6. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_advise_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("advise", "Advise a chunk shape, cache size and filter for an access pattern.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("advise: not built yet (issue 6)"); });
}

}  // namespace h5dig::tool

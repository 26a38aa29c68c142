// Placeholder: built by issue 5. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_read_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("read", "Read a dataset or a selection of it in parallel.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("read: not built yet (issue 5)"); });
}

}  // namespace h5dig::tool

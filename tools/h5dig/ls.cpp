// Placeholder: built by issue 2. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_ls_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("ls", "List the objects in an HDF5 file, exactly as h5ls does.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("ls: not built yet (issue 2)"); });
}

}  // namespace h5dig::tool

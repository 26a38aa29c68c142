// Placeholder: built by issue 7. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_zip_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("zip", "Archive directory trees into an HDF5 file.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("zip: not built yet (issue 7)"); });
}

}  // namespace h5dig::tool

// Placeholder: built by issue 7. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_unzip_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("unzip", "Extract an h5dig (or talk-style) HDF5 archive.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("unzip: not built yet (issue 7)"); });
}

}  // namespace h5dig::tool

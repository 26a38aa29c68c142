// Placeholder: built by issue 7. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_verify_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("verify", "Verify an HDF5 archive's checksums, and optionally against a directory.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("verify: not built yet (issue 7)"); });
}

}  // namespace h5dig::tool

// Placeholder: built by issue 6. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_make_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("make", "Make the demo datasets: the talk's 512^3 stack or detector-like frames.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("make: not built yet (issue 6)"); });
}

}  // namespace h5dig::tool

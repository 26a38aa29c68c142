// Placeholder: built by issue 2. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_cat_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("cat", "Write a dataset's bytes to standard output.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("cat: not built yet (issue 2)"); });
}

}  // namespace h5dig::tool

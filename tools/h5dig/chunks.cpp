// Placeholder: built by issue 4. Replace this file when the command lands.
#include "commands.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_chunks_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("chunks", "Map every chunk of a dataset to its byte offset and size in the file.");
  cmd->allow_extras();
  cmd->callback([] { throw_unsupported("chunks: not built yet (issue 4)"); });
}

}  // namespace h5dig::tool

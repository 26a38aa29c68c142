// `h5dig ls`: argument parsing only; the listing is inspect::list.
#include <iostream>

#include "commands.hpp"
#include "h5dig/error.hpp"
#include "h5dig/inspect/ls.hpp"

namespace h5dig::tool {

void add_ls_command(CLI::App& app) {
  auto opts = std::make_shared<inspect::LsOptions>();
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("ls", "List the objects in an HDF5 file, exactly as h5ls 1.10.8 does.");
  cmd->add_flag("-r,--recursive", opts->recursive, "List all groups recursively, with full path names");
  cmd->add_flag("-v,--verbose", opts->verbose, "Attributes, location, links, chunks, storage, filters and type");
  cmd->add_flag("-d,--data", opts->data, "Print the values of datasets (and, with -v, of attributes)");
  cmd->add_flag("-a,--address", opts->address, "With -v: raw data address, or the chunk index and every chunk");
  cmd->add_flag("-S,--simple", opts->simple, "h5ls's machine-readable variant (one value per line)");
  cmd->add_option("-w,--width", opts->width, "Columns for data output; 0 = no wrapping")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--json", opts->json, "Print a JSON document instead (schema: docs/ls-json.md)");
  cmd->add_option("paths", *paths, "FILE[/OBJECT]: a file, optionally followed by an object path inside it")
      ->required();
  cmd->footer(
      "Examples:\n"
      "  h5dig ls data.h5                  contents of the root group\n"
      "  h5dig ls -rv data.h5              everything, with storage, filters and types\n"
      "  h5dig ls -d archive.h5/README.md  one dataset with its values\n"
      "  h5dig ls --json -r data.h5        the same information as JSON\n"
      "Exit codes: 0 listed; 1 missing/unreadable file or object; 2 bad arguments.");
  cmd->callback([opts, paths] {
    std::cout.sync_with_stdio(false);
    inspect::list(*paths, *opts, std::cout);
  });
}

}  // namespace h5dig::tool

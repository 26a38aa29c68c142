// `h5dig cat`: argument parsing only; the work is inspect::cat.
#include <iostream>

#include "commands.hpp"
#include "h5dig/error.hpp"
#include "h5dig/inspect/ls.hpp"

namespace h5dig::tool {

void add_cat_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("cat", "Write a dataset's stored bytes to standard output.");
  cmd->add_option("path", *path, "FILE/DATASET")->required();
  cmd->footer(
      "Examples:\n"
      "  h5dig cat archive.h5/README.md > README.md   a file archived by h5zip comes back byte-exact\n"
      "  h5dig cat data.h5/data | od -An -tu2 | head   raw element bytes, row-major\n"
      "Exit codes: 0 written; 1 missing file/object, a group, or unreadable data; 2 bad arguments.");
  cmd->callback([path] { inspect::run_cat(*path, std::cout); });
}

}  // namespace h5dig::tool

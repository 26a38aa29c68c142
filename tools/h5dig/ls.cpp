// `h5dig ls`: argument parsing only; the listing is inspect::list.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "h5dig/error.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/inspect/ls.hpp"

namespace h5dig::tool {

namespace {
// h5ls's default output width: $COLUMNS if it starts with a digit, overridden
// by the terminal's width when stderr is a terminal; 80 otherwise.
int default_width() {
  int width = 80;
  if (const char* s = std::getenv("COLUMNS"); s && *s && std::isdigit(static_cast<unsigned char>(*s))) {
    width = static_cast<int>(std::strtol(s, nullptr, 0));
  }
  winsize w{};
  if (::ioctl(2, TIOCGWINSZ, &w) >= 0 && w.ws_col > 0) width = w.ws_col;
  return width < 1 ? 1 : width;
}
}  // namespace

void add_ls_command(CLI::App& app) {
  auto opts = std::make_shared<inspect::LsOptions>();
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("ls", "List the objects in an HDF5 file, exactly as h5ls 1.10.8 does.");
  cmd->add_flag("-r,--recursive", opts->recursive, "List all groups recursively, with full path names");
  cmd->add_flag("-v,--verbose", opts->verbose, "Attributes, location, links, chunks, storage, filters and type");
  cmd->add_flag("-d,--data", opts->data, "Print the values of datasets (and, with -v, of attributes)");
  cmd->add_flag("-a,--address", opts->address, "With -v: raw data address, or the chunk index and every chunk");
  cmd->add_flag("-S,--simple", opts->simple, "h5ls's machine-readable variant (one value per line)");
  opts->width = default_width();
  cmd->add_option("-w,--width", opts->width,
                  "Columns for data output; 0 = no wrapping [default: $COLUMNS, the terminal's width, or 80]")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", opts->json, "Print a JSON document instead (schema: docs/ls-json.md)");
  auto archive_listing = std::make_shared<bool>(false);
  cmd->add_flag("--archive", *archive_listing, "List an archive (h5dig zip) like tar -tv: mode, size, mtime, name");
  cmd->add_option("paths", *paths, "FILE[/OBJECT]: a file, optionally followed by an object path inside it")
      ->required();
  cmd->footer(
      "Examples:\n"
      "  h5dig ls data.h5                  contents of the root group\n"
      "  h5dig ls -rv data.h5              everything, with storage, filters and types\n"
      "  h5dig ls -d archive.h5/README.md  one dataset with its values\n"
      "  h5dig ls --json -r data.h5        the same information as JSON\n"
      "  h5dig ls --archive src.h5         an archive's files like tar -tv (docs/archive.md)\n"
      "Exit codes: 0 listed; 1 missing/unreadable file or object; 2 bad arguments.");
  cmd->callback([opts, paths, archive_listing] {
    std::cout.sync_with_stdio(false);
    if (*archive_listing) {
      for (const auto& path : *paths) archive::run_ls_archive(path, std::cout);
      return;
    }
    inspect::run_ls(*paths, *opts, std::cout);
  });
}

}  // namespace h5dig::tool

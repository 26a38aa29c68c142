// h5dig unzip: extract an archive made by h5dig zip (or the talk's script).
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_unzip_command(CLI::App& app) {
  struct Options {
    h5dig::archive::UnzipOptions unzip;
    std::string directory = ".";
    std::string archive;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("unzip", "Extract files from an HDF5 archive, restoring modes, mtimes, symlinks and "
                                          "hard links.");
  cmd->add_option("-C,--directory", opts->directory, "Extract into DIR (created if missing)")
      ->type_name("DIR")
      ->capture_default_str();
  cmd->add_option("-t,--threads", opts->unzip.threads, "Decompression threads (0: all cores)")->capture_default_str();
  cmd->add_option("ARCHIVE", opts->archive, "The HDF5 archive")->required();
  cmd->add_option("MEMBER", opts->unzip.members, "Members to extract (a directory brings its subtree); default all");
  cmd->footer(
      "Never writes outside DIR: members named '..', absolute names and anything that would go through a\n"
      "symlink are refused with a message; the rest is extracted, and the exit code is 1.\n"
      "Archives made by the talk's h5py script (no attributes) extract with default modes.\n"
      "Examples:\n"
      "  h5dig unzip -C out src.h5             extract everything into out/\n"
      "  h5dig unzip -C out src.h5 Lib/json    extract one directory");
  cmd->callback([opts] {
    opts->unzip.directory = opts->directory;
    auto stats = h5dig::archive::run_unzip(opts->archive, opts->unzip, std::cerr);
    if (stats.refused + stats.failed > 0)
      throw_io(fmt::format("{}: {} member(s) refused, {} failed; everything else was extracted", opts->archive,
                           stats.refused, stats.failed));
  });
}

}  // namespace h5dig::tool

// h5dig zip: archive directory trees into an HDF5 file (the talk's layout).
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_zip_command(CLI::App& app) {
  struct Options {
    h5dig::archive::ZipOptions zip;
    std::string archive;
    std::vector<std::string> dirs;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("zip", "Archive directory trees into an HDF5 file: groups for directories, one "
                                        "deflated byte dataset per file.");
  cmd->add_option("-l,--level", opts->zip.level, "Deflate level, 0 (store) to 9")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  cmd->add_option("-t,--threads", opts->zip.threads, "Compression threads (0: all cores)")->capture_default_str();
  cmd->add_option("--exclude", opts->zip.excludes, "Leave out names or relative paths matching GLOB (repeatable)")
      ->type_name("GLOB");
  cmd->add_option("ARCHIVE", opts->archive, "The HDF5 file to create (replaced if it exists)")->required();
  cmd->add_option("DIR", opts->dirs, "Directories to archive (one: its contents are the root group)")->required();
  cmd->footer(
      "Symlinks are stored as HDF5 soft links (never followed), hard links as HDF5 hard links to one dataset;\n"
      "attributes mode, mtime_ns and crc32 record what unzip restores and verify checks.\n"
      "Like tar, entries that cannot be read (permissions, files vanishing or changing while read) are left out\n"
      "with one line each on stderr; the archive holds the rest and the exit code is 1.\n"
      "Examples:\n"
      "  h5dig zip src.h5 src/                 archive src/ (browse with h5ls -r src.h5)\n"
      "  h5dig zip -l 9 -t 8 --exclude '__pycache__' py.h5 /usr/lib/python3.11\n"
      "  h5dig unzip -C out src.h5 && h5dig verify src.h5 out");
  cmd->callback([opts] {
    std::vector<std::filesystem::path> dirs(opts->dirs.begin(), opts->dirs.end());
    auto stats = h5dig::archive::run_zip(opts->archive, dirs, opts->zip, std::cerr);
    if (stats.unreadable > 0)
      throw_io(fmt::format("zip: {} {} could not be read; {} written without {}", stats.unreadable,
                           stats.unreadable == 1 ? "entry" : "entries", opts->archive,
                           stats.unreadable == 1 ? "it" : "them"));
  });
}

}  // namespace h5dig::tool

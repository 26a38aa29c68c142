// h5dig verify: check an archive's checksums, and compare it with a tree.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

void add_verify_command(CLI::App& app) {
  struct Options {
    h5dig::archive::VerifyOptions verify;
    std::string archive;
    std::string tree;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("verify", "Check every archived file's CRC-32 and, given DIR, compare the archive "
                                           "with the directory tree.");
  cmd->add_option("-t,--threads", opts->verify.threads, "Decompression threads (0: all cores)")->capture_default_str();
  cmd->add_option("ARCHIVE", opts->archive, "The HDF5 archive")->required();
  cmd->add_option("DIR", opts->tree, "Directory to compare with (missing, extra, changed content/mode/mtime/target)");
  cmd->footer(
      "Prints one line per difference; exit 3 if there is any.\n"
      "Examples:\n"
      "  h5dig verify src.h5                   checksums only\n"
      "  h5dig verify src.h5 src/              archive against the tree");
  cmd->callback([opts] {
    if (!opts->tree.empty()) opts->verify.tree = opts->tree;
    auto n = h5dig::archive::run_verify(opts->archive, opts->verify, std::cout);
    if (n > 0) throw Error(ErrorKind::verify, fmt::format("{}: {} difference(s)", opts->archive, n));
    // Silence would leave the user guessing whether anything was checked.
    std::cerr << fmt::format("{}: no differences (every checksum verified{})\n", opts->archive,
                             opts->tree.empty() ? "" : ", archive matches " + opts->tree);
  });
}

}  // namespace h5dig::tool

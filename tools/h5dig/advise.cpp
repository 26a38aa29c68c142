// h5dig advise: chunk shape, cache and filter for an access pattern.
#include <iostream>

#include "commands.hpp"
#include "h5dig/lab/advise.hpp"

namespace h5dig::tool {

void add_advise_command(CLI::App& app) {
  struct Args {
    std::string object, access = "frames";
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "advise", "Recommend the chunk shape, chunk-cache size and filter for how a dataset will be accessed.");
  cmd->add_option("FILE/DATASET", args->object, "The dataset")->required();
  cmd->add_option("--access", args->access,
                  "frames = x[i,:,:]; rows = x[i,j,:] (along the last axis); columns = x[:,j,k] (along axis 0); "
                  "box=S = boxes of shape S")
      ->default_val("frames");
  cmd->footer(
      "Prints the current and recommended chunks side by side: chunks per read, the cache that lets\n"
      "consecutive reads reuse chunks, what reading everything decompresses with HDF5's default 1 MiB\n"
      "cache, what writing unit by unit through HDF5 re-reads and recompresses, and the filter measured\n"
      "on a sample of the data.\n"
      "Examples:\n"
      "  h5dig advise data.h5/data --access frames\n"
      "  h5dig advise scan.h5/entry/data/data --access columns\n"
      "  h5dig advise volume.h5/v --access box=64,64,64");
  cmd->callback([args] { lab::run_advise(args->object, args->access, std::cout); });
}

}  // namespace h5dig::tool

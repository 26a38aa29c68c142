// `h5dig read`: a dataset or a selection of it, decoded on every core.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/io/read_command.hpp"

namespace h5dig::tool {

void add_read_command(CLI::App& app) {
  auto opts = std::make_shared<io::ReadCommandOptions>();
  auto raw = std::make_shared<std::string>("pread");
  auto* cmd = app.add_subcommand("read", "Read a dataset or a selection of it, decompressing chunks on every core.");
  cmd->add_option("object", opts->object, "FILE/DATASET to read")->required();
  cmd->add_option("-t,--threads", opts->threads,
                  fmt::format("decode threads [default: {}, one per core]", exec::default_threads()));
  cmd->add_option("-s,--select", opts->select,
                  "numpy-like selection, per dimension start:stop or : or an index (10:20,:,0:512)");
  cmd->add_option("-o,--output", opts->output,
                  "write the elements to OUT: .npy gives a NumPy file with h5py's dtype, .json the values as nested "
                  "lists, - one JSON value per element on stdout, anything else raw bytes (without -o the data is read "
                  "into memory and discarded, for timing)");
  cmd->add_flag("--verify", opts->verify, "also read the selection with H5Dread and compare; exit 3 on a difference");
  cmd->add_option("--raw-chunks", *raw, "how stored chunk bytes are fetched: pread at the chunk map's offsets, or "
                                        "H5Dread_chunk [default: pread]")
      ->check(CLI::IsMember({"pread", "hdf5"}));
  cmd->footer(
      "The output holds the elements in the dataset's stored type and byte order, C order: the bytes of\n"
      "h5py's d[sel].tobytes(). A summary (bytes, chunks, seconds, MB/s) goes to stderr.\n\n"
      "Examples:\n"
      "  h5dig read frames.h5/data                        time a whole read on all cores\n"
      "  h5dig read -t 1 frames.h5/data                   the same on one thread\n"
      "  h5dig read --select 10:20,:,0:512 -o part.npy frames.h5/data\n"
      "  h5dig read --verify frames.h5/data               check against HDF5's own H5Dread\n"
      "  h5dig read -o names.json file.h5/names           variable-length strings or sequences as JSON\n"
      "  h5dig read -o names.npy file.h5/names            variable-length strings as NumPy '<U{longest}'\n\n"
      "Variable-length data (strings, sequences, compounds holding them) is read as values with H5Dread in\n"
      "bounded batches: to .json, - (JSON lines) or, for strings, .npy; not as raw bytes.\n\n"
      "Exit codes: 0 success, 1 read or decode failure (nothing written), 2 usage error (e.g. a selection\n"
      "outside the dataset), 3 --verify found a difference.");
  cmd->callback([opts, raw] {
    opts->raw_source = *raw == "hdf5" ? io::RawSource::hdf5 : io::RawSource::pread;
    io::run_read(*opts, std::cerr);
  });
}

}  // namespace h5dig::tool

// h5dig chunks: where every chunk of a dataset lives in the file.
#include <iostream>

#include "commands.hpp"
#include "h5dig/chunk/chunk_report.hpp"
#include "h5dig/error.hpp"

namespace h5dig::tool {

namespace {
struct ChunksOptions {
  std::string object;
  std::string format = "text";
  std::string method = "auto";
};
}  // namespace

void add_chunks_command(CLI::App& app) {
  auto opts = std::make_shared<ChunksOptions>();
  auto* cmd = app.add_subcommand("chunks", "Map every chunk of a dataset to its byte offset and size in the file.");
  cmd->add_option("FILE/DATASET", opts->object, "The dataset, named as with h5ls")->required();
  cmd->add_option("--format", opts->format,
                  "text: summary; csv/json: one record per chunk; kerchunk: zarr v2 references")
      ->check(CLI::IsMember({"text", "csv", "json", "kerchunk"}))
      ->capture_default_str();
  cmd->add_option("--method", opts->method,
                  "auto: read the file's chunk index, HDF5's API if its kind is not decoded; "
                  "index: the file's index only; hdf5: H5Dget_chunk_info (quadratic on HDF5 1.10)")
      ->check(CLI::IsMember({"auto", "index", "hdf5"}))
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  h5dig chunks data.h5/entry/data                   summary: count, bytes, ratio, sizes\n"
      "  h5dig chunks --format json data.h5/entry/data     {\"chunk_shape\": [...], \"chunks\": [...]}\n"
      "  h5dig chunks --format csv data.h5/stack > map.csv\n"
      "  h5dig chunks --format kerchunk data.h5/stack > stack.json   (open with fsspec's reference://)\n"
      "Offsets are element coordinates of each chunk's first element; byte_offset is\n"
      "absolute in the file (userblock included), ready for pread.\n"
      "Exit codes: 0 success, 1 I/O error, corrupt index or unsupported filter (kerchunk), 2 usage.");
  cmd->callback([opts] {
    chunk::MapMethod method = opts->method == "index"  ? chunk::MapMethod::format
                              : opts->method == "hdf5" ? chunk::MapMethod::hdf5_api
                                                       : chunk::MapMethod::automatic;
    chunk::run_chunks(std::cout, opts->object, chunk::parse_report_format(opts->format), method);
    std::cout.flush();
  });
}

}  // namespace h5dig::tool

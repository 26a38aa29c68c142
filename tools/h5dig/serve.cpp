// `h5dig serve`: HDF5 files in a browser (H5Web), every filter included.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/serve/serve.hpp"

namespace h5dig::tool {

void add_serve_command(CLI::App& app) {
  auto opts = std::make_shared<serve::ServeOptions>();
  auto max_selection = std::make_shared<std::string>("256MiB");
  auto* cmd = app.add_subcommand(
      "serve", "Serve HDF5 files to a browser: the H5Web viewer and the h5grove API, read by h5dig's own codecs.");
  cmd->add_option("paths", opts->paths, "HDF5 files and directories to serve")->required();
  cmd->add_option("--port", opts->port, "TCP port; 0 lets the system choose [default: 8000]");
  cmd->add_option("--bind", opts->bind,
                  "address to listen on [default: 127.0.0.1]; anything else lets others read the served files");
  cmd->add_option("--max-selection", *max_selection,
                  "largest selection a request may read, e.g. 64MiB, 1GiB [default: 256MiB]");
  cmd->add_option("--web-root", opts->web_root,
                  "the viewer bundle (a directory with index.html) [default: web/ next to the binary]");
  cmd->add_option("-t,--threads", opts->threads,
                  fmt::format("decode threads per request [default: {}, one per core]", exec::default_threads()));
  cmd->footer(
      "usage: h5dig serve [--port P] [--bind ADDR] [--max-selection SIZE] [--web-root DIR] [-t N] FILE|DIR...\n\n"
      "Prints the URL and serves until Ctrl-C (or SIGTERM). Open the URL in a browser: one file opens in the\n"
      "viewer, several (or a directory) in a file picker. Files are named by their path relative to a single\n"
      "directory argument, else by their base names. Only the files given are served: other names, '..',\n"
      "absolute paths and symlinks leading out get 404; external links are never followed. The HTTP API\n"
      "(/files, /meta, /attr, /data, /paths, /stats) is h5grove's: docs/serve-api.md.\n\n"
      "Examples:\n"
      "  h5dig serve frames.h5                       open http://127.0.0.1:8000/ to see the frames\n"
      "  h5dig serve --port 0 run1/                  every HDF5 file under run1/, on a free port\n"
      "  h5dig serve --max-selection 1GiB a.h5 b.h5  two files, larger slices allowed\n"
      "  curl 'http://127.0.0.1:8000/data?file=frames.h5&path=/entry/data/data&selection=0,:,:&format=npy' -o f.npy\n\n"
      "Exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 cannot listen, 2 usage error (a missing FILE, two arguments\n"
      "with the same name, a --web-root without index.html).");
  cmd->callback([opts, max_selection] {
    opts->max_selection = serve::parse_size(*max_selection);
    serve::run_serve(*opts, std::cout, std::cerr);
  });
}

}  // namespace h5dig::tool

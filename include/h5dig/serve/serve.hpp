// `h5dig serve`: HDF5 files in a browser. An HTTP server (cpp-httplib) that
// serves the H5Web viewer at `/` and the h5grove API H5Web speaks (/meta,
// /attr, /data, /paths, /stats) plus /files, answered from h5dig's own reader
// and codecs. The contract: docs/serve-api.md (pinned by tests/serve/).
//
// Requests run concurrently on the server's thread pool; HDF5 is entered under
// one lock, and chunk decoding runs outside it on the exec pipeline, so a big
// read does not hold up other requests' metadata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace h5dig::serve {

struct ServeOptions {
  std::vector<std::string> paths;   // files and directories to serve
  int port = 8000;                  // 0: the system chooses
  std::string bind = "127.0.0.1";
  std::uint64_t max_selection = 256ull << 20;  // bytes a /data or /stats request may select
  std::string web_root;             // the viewer bundle; empty: look next to the binary
  std::size_t threads = 0;          // decode threads per request; 0 = all cores
};

// Parses "256MiB", "1 GiB", "4096" (bytes; KiB/MiB/GiB, also K/M/G) for
// --max-selection. Throws Error(usage).
std::uint64_t parse_size(const std::string& text);

// Serves until SIGINT or SIGTERM, then returns (exit status 0). Prints one
// line with the URL on `out` once connections are accepted. Throws
// Error(usage) for a missing argument, clashing names or a --web-root without
// index.html; Error(io) when the address cannot be bound.
void run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace h5dig::serve

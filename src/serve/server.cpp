// `h5dig serve`: routes, the viewer's static files, start-up and a clean stop.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api_error.hpp"
#include "data.hpp"
#include "entities.hpp"
#include "h5dig/error.hpp"
#include "h5dig/exec/background.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/h5/objects.hpp"
#include "h5dig/serve/serve.hpp"
#include "h5dig/util/sizes.hpp"
#include "hdf5_gate.hpp"
#include "served_files.hpp"

namespace h5dig::serve {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxListed = 10'000;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The viewer bundle: --web-root, else web/ next to the binary (build/web beside
// build/h5dig), else ../share/h5dig/web (an installed layout); empty if none.
fs::path find_web_root(const std::string& option) {
  if (!option.empty()) {
    if (!fs::is_regular_file(fs::path(option) / "index.html")) {
      throw_usage(fmt::format("serve: --web-root {}: no index.html there (scripts/build-web builds the viewer)", option));
    }
    return fs::canonical(option);
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const fs::path& candidate : {exe.parent_path() / "web", exe.parent_path() / ".." / "share" / "h5dig" / "web"}) {
    if (fs::is_regular_file(candidate / "index.html", ec)) return fs::canonical(candidate, ec);
  }
  return {};
}

std::string content_type_of(const fs::path& file) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript"},   {".mjs", "text/javascript"},
      {".css", "text/css"},                  {".json", "application/json"}, {".svg", "image/svg+xml"},
      {".png", "image/png"},                 {".ico", "image/x-icon"},      {".woff2", "font/woff2"},
      {".woff", "font/woff"},                {".wasm", "application/wasm"}, {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const std::string ext = lower(file.extension().string());
  for (const auto& [e, t] : kTypes) {
    if (ext == e) return t;
  }
  return "application/octet-stream";
}

constexpr const char* kNoViewerPage =
    "<!doctype html><meta charset=\"utf-8\"><title>h5dig serve</title>"
    "<h1>h5dig serve</h1><p>The viewer is not built. Run <code>scripts/build</code> (it needs Node.js 20 and npm, "
    "see the README), or give <code>--web-root DIR</code>. The API answers at <a href=\"files\">files</a>, "
    "<code>meta</code>, <code>attr</code>, <code>data</code>, <code>paths</code> and <code>stats</code>.</p>";

struct Server {
  const ServeOptions& options;
  ServedFiles files;
  fs::path web_root;
  Hdf5Gate gate;

  void error(httplib::Response& res, int status, const std::string& message) {
    std::string body = R"({"message": )";
    nlohmann::json m = files.scrub(message);
    body += m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    body += "}";
    res.status = status;
    res.set_content(body, "application/json");
  }

  static std::string param(const httplib::Request& req, const char* key, const std::string& fallback = "") {
    return req.has_param(key) ? req.get_param_value(key) : fallback;
  }

  // Runs an API handler: checks the common parameters, maps every failure to
  // its status and a one-line message.
  template <typename Fn>
  httplib::Server::Handler api(bool needs_file, Fn fn) {
    return [this, needs_file, fn](const httplib::Request& req, httplib::Response& res) {
      try {
        ResolveLinks links = ResolveLinks::only_valid;
        const std::string rl = param(req, "resolve_links", "only_valid");
        if (rl == "none") links = ResolveLinks::none;
        else if (rl == "all") links = ResolveLinks::all;
        else if (rl != "only_valid") throw ApiError(400, fmt::format("resolve_links '{}': use only_valid, none or all", rl));
        if (!needs_file) return fn(req, res, fs::path(), std::string(), links);
        const std::string name = param(req, "file");
        if (name.empty()) throw ApiError(400, "missing parameter: file (a served file name; see /files)");
        check_data_parameters(req);
        auto real = files.resolve(name);
        if (!real) throw file_not_found();
        fn(req, res, *real, name, links);
      } catch (const ApiError& e) {
        error(res, e.status(), e.what());
      } catch (const Error& e) {
        error(res, 500, oneline(e.what()));
      } catch (const std::bad_alloc&) {
        error(res, 500, "out of memory");
      } catch (const std::exception& e) {
        error(res, 500, oneline(e.what()));
      }
    };
  }

  static std::string oneline(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
  }

  // format, dtype and flatten are checked on every endpoint, so a malformed
  // query is a 400 whatever else is wrong with it.
  static void check_data_parameters(const httplib::Request& req) {
    const std::string format = param(req, "format", "json");
    if (format != "json" && format != "bin" && format != "npy" && format != "csv" && format != "tiff") {
      throw ApiError(400, fmt::format("format '{}': use json, bin, npy, csv or tiff", format));
    }
    const std::string dtype = param(req, "dtype", "origin");
    if (dtype != "origin" && dtype != "safe") throw ApiError(400, fmt::format("dtype '{}': use origin or safe", dtype));
    const std::string flatten = lower(param(req, "flatten", "false"));
    if (flatten != "true" && flatten != "false") {
      throw ApiError(400, fmt::format("flatten '{}': use true or false", param(req, "flatten")));
    }
  }

  DataQuery data_query(const httplib::Request& req, bool stats) {
    DataQuery q;
    q.stats = stats;
    q.selection = param(req, "selection");
    const std::string format = param(req, "format", "json");
    q.format = format == "bin" ? Format::bin : format == "npy" ? Format::npy : format == "csv" ? Format::csv
               : format == "tiff" ? Format::tiff : Format::json;
    q.safe = param(req, "dtype") == "safe";
    q.flatten = lower(param(req, "flatten")) == "true";
    return q;
  }

  void routes(httplib::Server& http) {
    // Every endpoint also with a trailing slash, as h5grove's servers answer.
    http.Get(R"(/files/?)", api(false, [this](const httplib::Request&, httplib::Response& res, const fs::path&,
                                              const std::string&, ResolveLinks) {
      bool truncated = false;
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& f : files.list(kMaxListed, truncated)) list.push_back({{"name", f.name}, {"size", f.size}});
      nlohmann::ordered_json j;
      j["files"] = std::move(list);
      j["truncated"] = truncated;
      res.set_content(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
    }));
    http.Get(R"(/meta/?)", api(true, [this](const httplib::Request& req, httplib::Response& res, const fs::path& real,
                                            const std::string& served, ResolveLinks links) {
      const std::string path = param(req, "path", "/");
      auto lock = gate.lock();
      h5::Id file = gate.file(real);
      res.set_content(entity_metadata(file, resolve_entity(file, path, links, served), served), "application/json");
    }));
    http.Get(R"(/attr/?)", api(true, [this](const httplib::Request& req, httplib::Response& res, const fs::path& real,
                                            const std::string& served, ResolveLinks links) {
      const std::string path = param(req, "path", "/");
      std::vector<std::string> keys;
      for (std::size_t i = 0; i < req.get_param_value_count("attr_keys"); ++i) {
        keys.push_back(req.get_param_value("attr_keys", i));
      }
      auto lock = gate.lock();
      h5::Id file = gate.file(real);
      const Entity e = resolve_entity(file, path, links, served);
      if (e.object_path.empty() || e.kind == Entity::Kind::other) {
        throw ApiError(422, fmt::format("{} in {} is a link h5dig does not follow: it has no attributes", path, served));
      }
      res.set_content(attribute_values(file, e, keys), "application/json");
    }));
    http.Get(R"(/paths/?)", api(true, [this](const httplib::Request& req, httplib::Response& res, const fs::path& real,
                                             const std::string& served, ResolveLinks links) {
      const std::string path = param(req, "path", "/");
      auto lock = gate.lock();
      h5::Id file = gate.file(real);
      const Entity e = resolve_entity(file, path, links, served);
      if (e.kind != Entity::Kind::group) {
        throw ApiError(422, fmt::format("{} in {} is not a group: /paths lists the links below a group", path, served));
      }
      res.set_content(link_paths(file, e, path), "application/json");
    }));
    for (const bool stats : {false, true}) {
      http.Get(stats ? R"(/stats/?)" : R"(/data/?)",
               api(true, [this, stats](const httplib::Request& req, httplib::Response& res, const fs::path& real,
                                       const std::string& served, ResolveLinks links) {
                 DataContext ctx{gate, options.max_selection, options.threads};
                 Answer a = answer_data(ctx, real, served, param(req, "path", "/"), links, data_query(req, stats));
                 if (!a.filename.empty()) {
                   res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", a.filename));
                 }
                 res.set_content(std::move(a.body), a.content_type);
               }));
    }
    // The viewer: its files, index.html for "/" (and for ?file=...).
    http.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) { static_file(req, res); });
  }

  void static_file(const httplib::Request& req, httplib::Response& res) {
    if (web_root.empty()) {
      if (req.path == "/") return res.set_content(kNoViewerPage, "text/html; charset=utf-8");
      return error(res, 404, fmt::format("no such endpoint: {}", req.path));
    }
    std::string rel = req.path == "/" ? "index.html" : req.path.substr(1);
    // Clean names only: no empty, "." or ".." segments, nothing hidden.
    bool clean = !rel.empty() && rel.find('\\') == std::string::npos && rel.find('\0') == std::string::npos;
    for (std::size_t pos = 0; clean;) {
      const std::size_t slash = rel.find('/', pos);
      const std::string seg = rel.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      clean = !seg.empty() && seg.front() != '.';
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    const fs::path file = web_root / rel;
    std::error_code ec;
    if (!clean || !fs::is_regular_file(file, ec)) return error(res, 404, fmt::format("no such endpoint: {}", req.path));
    std::ifstream in(file, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    res.set_content(body.str(), content_type_of(file));
  }
};

}  // namespace

std::uint64_t parse_size(const std::string& text) { return util::parse_size(text, "--max-selection"); }

void run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  // SIGINT and SIGTERM are taken by one waiting thread (below): blocked here,
  // before any thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  h5::init();
  Server server{options, ServedFiles(options.paths), find_web_root(options.web_root), {}};
  bool truncated = false;
  const std::size_t count = server.files.list(kMaxListed, truncated).size();
  if (server.web_root.empty()) {
    err << "h5dig serve: warning: no viewer bundle (build/web, or --web-root DIR): the API works, `/` says how to "
           "build the viewer\n";
  }
  if (options.bind != "127.0.0.1" && options.bind != "localhost" && options.bind != "::1") {
    err << "h5dig serve: warning: listening on " << options.bind
        << ": everyone who can reach it can read the served files\n";
  }

  httplib::Server http;
  // Idle keep-alive connections hold a thread each: more threads than cores.
  const std::size_t pool = std::max<std::size_t>(16, 4 * exec::default_threads());
  http.new_task_queue = [pool] { return new httplib::ThreadPool(pool); };
  server.routes(http);

  int port = options.port;
  if (port == 0) {
    port = http.bind_to_any_port(options.bind);
    if (port <= 0) throw_io(fmt::format("serve: cannot listen on {}", options.bind));
  } else if (!http.bind_to_port(options.bind, port)) {
    throw_io(fmt::format("serve: cannot listen on {}:{} (in use? try --port 0)", options.bind, port));
  }
  const std::string host = options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
  out << fmt::format("h5dig serve: {} file{}{} at http://{}:{}/ (Ctrl-C stops)", count, count == 1 ? "" : "s",
                     truncated ? " (listing truncated)" : "", host, port)
      << std::endl;

  std::atomic<bool> finished{false};
  exec::BackgroundTask waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    // stop() before listen_after_bind() has started would be lost.
    while (!finished && !http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    http.stop();
  });
  const bool ok = http.listen_after_bind();
  finished = true;
  waiter.signal(SIGTERM);  // wakes the waiter if no signal came
  waiter.join();
  if (!ok) throw_io(fmt::format("serve: the server on {}:{} failed", options.bind, port));
}

}  // namespace h5dig::serve

// bench zip: h5dig zip/unzip against h5ar and the talk's h5py script on the same
// tree, in one run; medians of `repeat` runs, sizes and ratios.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "archive/tree_walk.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/archive/talk_script.hpp"
#include "h5dig/error.hpp"

extern char** environ;

namespace h5dig::archive {

namespace {

// Runs argv (stdout/stderr to `log`), returns wall seconds; throws naming the
// tool and the end of its log if it fails.
double timed_run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Every run starts with no dirty pages left by the one before: otherwise a
  // tool pays for the writeback of the previous tool's output (an unzip right
  // after three archives were written measured 1.7x slower than the same unzip
  // on a clean page cache). Each run still pays for its own writes.
  ::sync();
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw_io(fmt::format("bench zip: cannot run {}", argv[0]));
  int status = 0;
  ::waitpid(pid, &status, 0);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    throw_io(fmt::format("bench zip: {} failed (status {}): {}", argv[0], status, last));
  }
  return seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::uint64_t size_of(const std::filesystem::path& p) {
  std::error_code ec;
  auto s = std::filesystem::file_size(p, ec);
  return ec ? 0 : s;
}

std::filesystem::path self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw_io("bench zip: cannot find the h5dig binary (/proc/self/exe)");
  return p;
}

}  // namespace

void run_bench_zip(const std::filesystem::path& dir, const BenchZipOptions& options, std::ostream& out) {
  std::ostringstream ignore;
  auto entries = detail::walk_tree(dir.string(), {}, ignore);
  std::uint64_t nfiles = 0, ndirs = 0, nlinks = 0, bytes = 0;
  for (const auto& e : entries) {
    if (e.kind == detail::EntryKind::file) ++nfiles, bytes += e.size;
    if (e.kind == detail::EntryKind::directory) ++ndirs;
    if (e.kind == detail::EntryKind::symlink || e.kind == detail::EntryKind::hardlink) ++nlinks;
  }
  if (nlinks > 0)
    throw_usage(fmt::format("bench zip: {} has {} symlink(s)/hard link(s); the talk's script cannot archive them "
                            "(copy the tree dereferenced, as scripts/bench_zip does)",
                            dir.string(), nlinks));

  std::filesystem::path base = options.work_dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = (base / "h5dig-bench-zip-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw_io(fmt::format("bench zip: cannot create a directory in {}", base.string()));
  std::filesystem::path work = pattern;
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{work};

  auto script = work / "h5zip.py";
  std::ofstream(script) << talk_h5zip_script(talk_path(options.talk));
  const std::string exe = self_exe().string();
  const std::string src = std::filesystem::absolute(dir).string();
  const std::size_t threads = options.threads;
  auto log = work / "log.txt";

  std::vector<double> z_h5dig, z_h5ar, z_talk, u_h5dig, u_h5ar;
  auto a_h5dig = work / "h5dig.h5", a_h5ar = work / "h5ar.h5ar", a_talk = work / "talk.h5";
  auto x_h5dig = work / "x-h5dig", x_h5ar = work / "x-h5ar";
  auto clear = [](const std::filesystem::path& p) {
    std::error_code ec;
    std::filesystem::remove_all(p, ec);
  };
  for (int r = 0; r < options.repeat; ++r) {
    // Interleaved, so a busy moment hurts every tool alike.
    clear(a_h5dig);
    z_h5dig.push_back(timed_run({exe, "zip", "-t", std::to_string(threads), "-l", std::to_string(options.level),
                                 a_h5dig.string(), src},
                                log));
    clear(a_h5ar);
    z_h5ar.push_back(timed_run({options.h5ar, "ar", "-C", "-q", "-r", src, a_h5ar.string(), "."}, log));
    clear(a_talk);
    z_talk.push_back(timed_run({options.python, script.string(), a_talk.string(), src}, log));
    clear(x_h5dig);
    u_h5dig.push_back(timed_run({exe, "unzip", "-t", std::to_string(threads), "-C", x_h5dig.string(),
                                 a_h5dig.string()},
                                log));
    clear(x_h5ar);
    std::filesystem::create_directories(x_h5ar);
    u_h5ar.push_back(timed_run({options.h5ar, "ex", "-q", "-r", x_h5ar.string(), a_h5ar.string()}, log));
  }
  // The extraction must be right for the times to mean anything.
  std::ostringstream diff;
  VerifyOptions vopt;
  vopt.tree = dir;
  vopt.threads = threads;
  vopt.progress = false;
  if (run_verify(a_h5dig, vopt, diff) != 0)
    throw Error(ErrorKind::verify, "bench zip: the h5dig archive differs from the tree: " + diff.str());
  vopt.tree = x_h5dig;
  if (run_verify(a_h5dig, vopt, diff) != 0)
    throw Error(ErrorKind::verify, "bench zip: the h5dig extraction differs from the archive: " + diff.str());

  double zd = median(z_h5dig), za = median(z_h5ar), zt = median(z_talk);
  double ud = median(u_h5dig), ua = median(u_h5ar);
  std::uint64_t sd = size_of(a_h5dig), sa = size_of(a_h5ar), st = size_of(a_talk);
  auto mb = [](std::uint64_t b) { return static_cast<double>(b) / 1e6; };
  std::string threads_text = threads == 0 ? "all cores" : fmt::format("{} threads", threads);
  std::string tree = fmt::format("{}: {} files, {} directories, {:.1f} MB", dir.string(), nfiles, ndirs, mb(bytes));
  if (options.markdown) {
    out << fmt::format("Tree: {}. Median of {} run(s); h5dig with {}, deflate level {}.\n\n", tree, options.repeat,
                       threads_text, options.level);
    out << "| tool | zip (s) | archive (MB) | unzip (s) |\n|---|---:|---:|---:|\n";
    out << fmt::format("| h5dig zip / unzip | {:.2f} | {:.2f} | {:.2f} |\n", zd, mb(sd), ud);
    out << fmt::format("| h5ar ar -C / ex | {:.2f} | {:.2f} | {:.2f} |\n", za, mb(sa), ua);
    out << fmt::format("| talk's h5zip script (gzip 9) | {:.2f} | {:.2f} | — |\n\n", zt, mb(st));
    out << "| ratio | measured | target |\n|---|---:|---:|\n";
    out << fmt::format("| zip: h5ar time / h5dig time | {:.1f}× | ≥ 3× |\n", za / zd);
    out << fmt::format("| zip: talk script time / h5dig time | {:.1f}× | ≥ 8× |\n", zt / zd);
    out << fmt::format("| archive: h5dig size / talk script size | {:.3f} | ≤ 1 |\n", static_cast<double>(sd) / static_cast<double>(st));
    out << fmt::format("| unzip: h5ar ex time / h5dig time | {:.1f}× | ≥ 2× |\n", ua / ud);
  } else {
    out << fmt::format("tree     {}\n", tree);
    out << fmt::format("runs     {} (medians), h5dig: {}, level {}\n\n", options.repeat, threads_text, options.level);
    out << fmt::format("{:<34} {:>9} {:>13} {:>10}\n", "tool", "zip (s)", "archive (MB)", "unzip (s)");
    out << fmt::format("{:<34} {:>9.2f} {:>13.2f} {:>10.2f}\n", "h5dig zip / unzip", zd, mb(sd), ud);
    out << fmt::format("{:<34} {:>9.2f} {:>13.2f} {:>10.2f}\n", "h5ar ar -C / ex", za, mb(sa), ua);
    out << fmt::format("{:<34} {:>9.2f} {:>13.2f} {:>10}\n\n", "talk's h5zip script (gzip 9)", zt, mb(st), "-");
    out << fmt::format("zip    h5dig is {:.1f}x faster than h5ar (target 3x), {:.1f}x faster than the talk's script (target 8x)\n",
                       za / zd, zt / zd);
    out << fmt::format("size   h5dig archive / talk's archive = {:.3f} (target <= 1)\n",
                       static_cast<double>(sd) / static_cast<double>(st));
    out << fmt::format("unzip  h5dig is {:.1f}x faster than h5ar ex (target 2x)\n", ua / ud);
  }
}

}  // namespace h5dig::archive

// h5dig: see inside HDF5 files and move their data fast.
//
// Exit codes (the command-line contract): 0 success; 1 failure (I/O, corrupt or
// unsupported data); 2 usage error; 3 `verify` found differences.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "h5dig/error.hpp"
#include "h5dig/util/interrupt_cleanup.hpp"
#include "h5dig/util/worker.hpp"
#include "h5dig/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"h5dig: see inside HDF5 files, map their chunks, and read, write, repack and archive them "
               "at the speed of the compressors."};
  app.name("h5dig");
  app.set_version_flag("--version", std::string(h5dig::kVersion));
  app.require_subcommand(1);
  app.footer(
      "Objects are named FILE[/OBJECT], as with h5ls.\n"
      "Exit codes: 0 success, 1 failure, 2 usage error, 3 verify found differences.\n"
      "Run `h5dig COMMAND --help` for a command's options and examples.");

  // Ctrl-C removes the temporary file of an output being written.
  h5dig::util::install_interrupt_cleanup();

  // Commands that read HDF5 files run in a supervised worker process: a crash
  // or hang inside HDF5 on a damaged file becomes one error line (exit 1).
  h5dig::util::WorkerOptions worker{"", h5dig::util::default_watchdog_seconds()};
  app.add_option("--watchdog", worker.watchdog_seconds,
                 "Stop a command after this many seconds without progress (0: never) "
                 "[default: $H5DIG_WATCHDOG or 600]")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber);
  app.fallthrough();  // --watchdog also after the command's name

  using namespace h5dig::tool;
  add_ls_command(app);
  add_cat_command(app);
  add_chunks_command(app);
  add_read_command(app);
  add_make_command(app);
  add_repack_command(app);
  add_advise_command(app);
  add_zip_command(app);
  add_unzip_command(app);
  add_verify_command(app);
  add_bench_command(app);

  // After the arguments are parsed (a usage error stays in this process) and
  // before the command runs: fork the worker for the commands that enter HDF5.
  app.parse_complete_callback([&app, &worker] {
    static constexpr const char* kIsolated[] = {"ls", "cat", "chunks", "read", "repack", "advise", "unzip", "verify"};
    for (const CLI::App* sub : app.get_subcommands()) {
      for (const char* name : kIsolated) {
        if (sub->get_name() == name) {
          worker.command = name;
          h5dig::util::run_in_worker(worker);  // returns in the worker only
          return;
        }
      }
    }
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // help goes to stdout, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Usage errors: the reason and a pointer to help on stderr, exit 2.
    std::cerr << "h5dig: " << e.what() << "\n";
    std::cerr << "Run with --help for more information.\n";
    return 2;
  } catch (const h5dig::Error& e) {
    std::cout.flush();
    std::cerr << "h5dig: " << e.what() << "\n";
    return h5dig::exit_code(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "h5dig: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "h5dig: " << e.what() << "\n";
    return 1;
  }
  std::cout.flush();
  if (!std::cout) {
    // e.g. stdout closed or disk full while writing `cat` output
    std::cerr << "h5dig: error writing to standard output\n";
    return 1;
  }
  return 0;
}

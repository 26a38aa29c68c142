// One function per subcommand, each defined in its own <command>.cpp: it adds
// the subcommand, its options and its callback to the app. The callback parses
// nothing itself and prints nothing but what the library function returns. The
// library's entry point for a command is named run_<command> in its layer's
// namespace (inspect::run_ls, io::run_read, archive::run_zip, lab::run_make_stack,
// bench::run_bench_codecs, ...), so the one a callback calls is found by name.
#pragma once

#include <CLI/CLI.hpp>

namespace h5dig::tool {

void add_ls_command(CLI::App& app);
void add_cat_command(CLI::App& app);
void add_chunks_command(CLI::App& app);
void add_read_command(CLI::App& app);
void add_make_command(CLI::App& app);
void add_repack_command(CLI::App& app);
void add_advise_command(CLI::App& app);
void add_zip_command(CLI::App& app);
void add_unzip_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_serve_command(CLI::App& app);

// `h5dig bench` and its experiments, each in bench_<name>.cpp.
void add_bench_command(CLI::App& app);
void add_bench_codecs_command(CLI::App& bench);
void add_bench_read_command(CLI::App& bench);
void add_bench_layout_command(CLI::App& bench);
void add_bench_write_command(CLI::App& bench);
void add_bench_zip_command(CLI::App& bench);

}  // namespace h5dig::tool

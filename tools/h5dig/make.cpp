// h5dig make stack|frames: the demo datasets, written through ChunkWriter.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "h5dig/error.hpp"
#include "h5dig/lab/make.hpp"
#include "write_options.hpp"

namespace h5dig::tool {

std::uint64_t parse_memory_limit(const std::string& text) {
  std::string t = text;
  std::uint64_t mult = std::uint64_t{1} << 20;
  if (!t.empty() && (t.back() == 'G' || t.back() == 'g')) {
    mult = std::uint64_t{1} << 30;
    t.pop_back();
  } else if (!t.empty() && (t.back() == 'M' || t.back() == 'm')) {
    t.pop_back();
  }
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != t.size() || !(v > 0))
    throw_usage(fmt::format("--memory-limit '{}': expected a size in MiB such as 2048 or 2G", text));
  return static_cast<std::uint64_t>(v * double(mult));
}

void add_make_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("make", "Make the demo datasets: the talk's 512^3 stack or detector-like frames.");
  cmd->require_subcommand(1);
  cmd->footer(
      "Examples:\n"
      "  h5dig make stack data.h5                          # the talk's stack: {512,512,512} uint16, gzip 4\n"
      "  h5dig make stack --filter gzip=4:zlib data.h5     # zlib's bytes: 272,836 bytes allocated, as h5py\n"
      "  h5dig make stack --chunks 512,1,512 bad.h5        # the talk's bad chunk shape, written fast\n"
      "  h5dig make frames --frames 200 --filter bslz4 frames.h5");

  struct StackArgs {
    std::string out;
    WriteArgs w;
    h5::Size size = 512;
  };
  auto stack_args = std::make_shared<StackArgs>();
  auto* stack = cmd->add_subcommand("stack", "Write the talk's stack: {512,512,512} uint16, frame j filled with j.");
  stack->add_option("OUT", stack_args->out, "Output file (written to a temporary name, then renamed)")->required();
  add_write_options(*stack, stack_args->w, "gzip=4", "Chunk shape [default: 1,512,512]");
  stack->add_option("--size", stack_args->size, "Frames, rows and columns of the cube")->default_val(512);
  stack->callback([stack_args] {
    lab::StackOptions o;
    o.size = stack_args->size;
    if (o.size == 0) throw_usage("--size must be at least 1");
    o.write = to_settings(stack_args->w, "gzip=4");
    lab::run_make_stack(stack_args->out, o, std::cout);
  });

  struct FramesArgs {
    std::string out;
    WriteArgs w;
    h5::Size frames = 100;
    std::string shape = "1024,1024";
    double mean = 0.5;
    std::uint64_t seed = 1;
  };
  auto fa = std::make_shared<FramesArgs>();
  auto* frames =
      cmd->add_subcommand("frames", "Write detector-like frames: Poisson counts, uint16, appended along an unlimited axis.");
  frames->add_option("OUT", fa->out, "Output file (written to a temporary name, then renamed)")->required();
  frames->add_option("--frames", fa->frames, "Number of frames")->default_val(100);
  frames->add_option("--shape", fa->shape, "Frame rows,columns")->default_val("1024,1024");
  frames->add_option("--mean", fa->mean, "Mean counts per pixel (Poisson)")->default_val(0.5);
  frames->add_option("--seed", fa->seed, "Random seed (same seed, same frames)")->default_val(1);
  add_write_options(*frames, fa->w, "shuffle,gzip=4", "Chunk shape [default: 1,ROWS,COLUMNS]");
  frames->callback([fa] {
    lab::FramesOptions o;
    o.frames = fa->frames;
    o.shape = lab::parse_shape(fa->shape, "--shape");
    o.mean = fa->mean;
    o.seed = fa->seed;
    o.write = to_settings(fa->w, "shuffle,gzip=4");
    lab::run_make_frames(fa->out, o, std::cout);
  });
}

}  // namespace h5dig::tool

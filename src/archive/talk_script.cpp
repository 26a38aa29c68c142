#include "h5dig/archive/talk_script.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "h5dig/error.hpp"

namespace h5dig::archive {

std::filesystem::path talk_path(const std::filesystem::path& fallback) {
  const char* env = std::getenv("H5DIG_TALK");
  return env && *env ? std::filesystem::path(env) : fallback;
}

std::string talk_h5zip_script(const std::filesystem::path& talk_md) {
  std::ifstream in(talk_md);
  if (!in) throw_io(fmt::format("{}: cannot read the talk (set H5DIG_TALK to hdf5-talk.md)", talk_md.string()));
  std::stringstream text;
  text << in.rdbuf();
  const std::string md = text.str();
  const std::string fence = "```python\n";
  for (std::size_t start = md.find(fence); start != std::string::npos; start = md.find(fence, start + 1)) {
    std::size_t body = start + fence.size();
    std::size_t end = md.find("\n```", body);
    if (end == std::string::npos) break;
    std::string block = md.substr(body, end - body + 1);
    if (block.find("def h5zip(") != std::string::npos) return block;
  }
  throw_io(fmt::format("{}: no python block defining h5zip()", talk_md.string()));
}

}  // namespace h5dig::archive

#include "h5dig/util/sizes.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "h5dig/error.hpp"

namespace h5dig::util {

std::uint64_t parse_size(const std::string& text, std::string_view what) {
  auto fail = [&] { throw_usage(fmt::format("{} {}: not a size (e.g. 256MiB, 1GiB, 1048576)", what, text)); };
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) fail();
  std::size_t pos = 0;
  std::uint64_t value = 0;
  try {
    value = std::stoull(text, &pos);
  } catch (const std::exception&) {
    fail();
  }
  std::string unit;
  for (char c : text.substr(pos)) {
    if (c != ' ') unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  int shift = -1;
  if (unit.empty() || unit == "b") shift = 0;
  else if (unit == "k" || unit == "kib" || unit == "kb") shift = 10;
  else if (unit == "m" || unit == "mib" || unit == "mb") shift = 20;
  else if (unit == "g" || unit == "gib" || unit == "gb") shift = 30;
  if (shift < 0 || (shift && value > (UINT64_MAX >> shift))) fail();
  return value << shift;
}

std::uint64_t physical_memory() {
  static const std::uint64_t bytes = [] {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) : 0;
  }();
  return bytes;
}

}  // namespace h5dig::util

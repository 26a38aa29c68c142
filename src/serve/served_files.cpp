#include "served_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <span>

#include "h5dig/error.hpp"
#include "h5dig/util/fd.hpp"

namespace h5dig::serve {

namespace fs = std::filesystem;

namespace {

// Non-empty '/'-separated segments, none ".", ".." or starting with '.', no
// '\' or NUL anywhere; empty result for anything else.
std::vector<std::string_view> clean_segments(std::string_view name) {
  std::vector<std::string_view> out;
  if (name.empty() || name.find('\\') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return {};
  }
  for (std::size_t pos = 0;;) {
    const std::size_t slash = name.find('/', pos);
    std::string_view seg = name.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg.empty() || seg.front() == '.') return {};
    out.push_back(seg);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

// `inner` is `dir` or below it (both canonical).
bool inside(const fs::path& inner, const fs::path& dir) {
  auto [d, i] = std::mismatch(dir.begin(), dir.end(), inner.begin(), inner.end());
  return d == dir.end();
}

}  // namespace

bool has_hdf5_signature(const fs::path& path) {
  static constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  const util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  struct stat st {};
  bool found = false;
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    for (std::uint64_t at = 0; at + 8 <= size && !found; at = at ? at * 2 : 512) {
      std::byte buf[8];
      if (util::pread_exact(fd.get(), buf, at).bytes != 8) break;
      found = std::memcmp(buf, kSignature, 8) == 0;
    }
  }
  return found;
}

ServedFiles::ServedFiles(const std::vector<std::string>& arguments) {
  if (arguments.empty()) throw_usage("serve: give at least one FILE or DIR");
  for (const auto& arg : arguments) {
    std::error_code ec;
    fs::path real = fs::canonical(arg, ec);
    if (ec) throw_usage(fmt::format("serve: {}: {}", arg, ec.message()));
    const bool directory = fs::is_directory(real, ec);
    if (!directory && !fs::is_regular_file(real, ec)) {
      throw_usage(fmt::format("serve: {}: not a regular file or a directory", arg));
    }
    std::string name = fs::path(arg).lexically_normal().filename().string();
    if (name.empty() || name == "." || name == "..") name = real.filename().string();
    roots_.push_back({name, real, directory});
  }
  if (roots_.size() == 1 && roots_[0].directory) {
    roots_[0].name.clear();
    return;
  }
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    auto [it, fresh] = seen.emplace(roots_[i].name, arguments[i]);
    if (!fresh) {
      throw_usage(fmt::format("serve: {} and {} would both be served as '{}'; serve their directory instead",
                              it->second, arguments[i], roots_[i].name));
    }
  }
}

std::optional<fs::path> ServedFiles::resolve_in(const Root& root, std::span<const std::string_view> segments) const {
  if (!root.directory) {
    if (!segments.empty()) return std::nullopt;
    return has_hdf5_signature(root.real) ? std::optional(root.real) : std::nullopt;
  }
  if (segments.empty()) return std::nullopt;
  fs::path path = root.real;
  struct stat st {};
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    path /= segments[i];
    // A real directory only: symlinked directories are never descended.
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  }
  path /= segments.back();
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    fs::path target = fs::canonical(path, ec);
    if (ec || !inside(target, root.real)) return std::nullopt;
    path = target;
  } else if (!S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  return has_hdf5_signature(path) ? std::optional(path) : std::nullopt;
}

std::optional<fs::path> ServedFiles::resolve(std::string_view name) const {
  const std::vector<std::string_view> segments = clean_segments(name);
  if (segments.empty()) return std::nullopt;
  if (roots_.size() == 1 && roots_[0].name.empty()) return resolve_in(roots_[0], segments);
  for (const Root& root : roots_) {
    if (root.name == segments[0]) return resolve_in(root, std::span(segments).subspan(1));
  }
  return std::nullopt;
}

std::vector<ServedFiles::Entry> ServedFiles::list(std::size_t limit, bool& truncated) const {
  std::vector<Entry> out;
  truncated = false;
  auto add = [&](const std::string& name) {
    if (auto real = resolve(name)) {
      std::error_code ec;
      const auto size = fs::file_size(*real, ec);
      out.push_back({name, ec ? 0 : static_cast<std::uint64_t>(size)});
    }
  };
  // Bounds the walk itself, whatever the tree holds.
  constexpr std::size_t kMaxVisited = 1'000'000;
  std::size_t visited = 0;
  for (const Root& root : roots_) {
    if (!root.directory) {
      add(root.name);
      continue;
    }
    const std::string prefix = root.name.empty() ? "" : root.name + "/";
    std::error_code ec;
    fs::recursive_directory_iterator it(root.real, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end && out.size() <= limit && visited < kMaxVisited; it.increment(ec)) {
      ++visited;
      const fs::path& p = it->path();
      const std::string base = p.filename().string();
      if (base.empty() || base.front() == '.') {
        if (it->is_directory(ec) && !it->is_symlink(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_symlink(ec) || it->is_regular_file(ec)) {
        add(prefix + p.lexically_relative(root.real).generic_string());
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  if (out.size() > limit) {
    out.resize(limit);
    truncated = true;
  }
  return out;
}

std::string ServedFiles::scrub(std::string message) const {
  for (const Root& root : roots_) {
    const std::string real = root.real.string();
    const std::string with_slash = root.directory ? real + "/" : real;
    const std::string replacement = root.directory ? (root.name.empty() ? "" : root.name + "/") : root.name;
    for (std::size_t at; (at = message.find(with_slash)) != std::string::npos;) {
      message.replace(at, with_slash.size(), replacement);
    }
    for (std::size_t at; (at = message.find(real)) != std::string::npos;) message.replace(at, real.size(), root.name);
  }
  return message;
}

}  // namespace h5dig::serve

#include "archive/tree_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "h5dig/error.hpp"

namespace h5dig::archive::detail {

namespace {

std::int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

class Walker {
 public:
  Walker(const WalkOptions& options, std::ostream& warn, std::vector<FsEntry>& out)
      : options_(options), warn_(warn), out_(out) {}

  bool excluded(const std::string& name, const std::string& rel) const {
    for (const auto& glob : options_.excludes) {
      if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
      if (::fnmatch(glob.c_str(), rel.c_str(), FNM_PATHNAME) == 0) return true;
    }
    return false;
  }

  // `dirfd` is an open directory; `display` its path for messages.
  void walk_dir(int dirfd, const std::string& display, const std::string& rel, int depth) {
    DIR* dir = ::fdopendir(dirfd);
    if (!dir) {
      int e = errno;
      ::close(dirfd);
      throw_io(fmt::format("{}: cannot read directory: {}", display, std::strerror(e)));
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* d = ::readdir(dir)) {
      if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
      names.emplace_back(d->d_name);
    }
    int read_errno = errno;
    if (read_errno != 0) {
      ::closedir(dir);
      throw_io(fmt::format("{}: cannot read directory: {}", display, std::strerror(read_errno)));
    }
    std::sort(names.begin(), names.end());
    int fd = ::dirfd(dir);
    for (const auto& name : names) {
      std::string child_rel = rel.empty() ? name : rel + "/" + name;
      std::string child_display = display + "/" + name;
      if (excluded(name, child_rel)) continue;
      struct stat st;
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        int e = errno;
        ::closedir(dir);
        throw_io(fmt::format("{}: cannot stat: {}", child_display, std::strerror(e)));
      }
      if (options_.skip_ino != 0 && st.st_dev == options_.skip_dev && st.st_ino == options_.skip_ino) continue;
      FsEntry e;
      e.rel = child_rel;
      e.name = name;
      e.depth = depth + 1;
      e.mode = st.st_mode & 07777;
      e.mtime_ns = mtime_ns_of(st);
      e.dev = st.st_dev;
      e.ino = st.st_ino;
      if (S_ISDIR(st.st_mode)) {
        e.kind = EntryKind::directory;
        out_.push_back(std::move(e));
        int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
          int err = errno;
          ::closedir(dir);
          throw_io(fmt::format("{}: cannot open directory: {}", child_display, std::strerror(err)));
        }
        try {
          walk_dir(child, child_display, child_rel, depth + 1);
        } catch (...) {
          ::closedir(dir);
          throw;
        }
      } else if (S_ISREG(st.st_mode)) {
        e.kind = EntryKind::file;
        e.size = static_cast<std::uint64_t>(st.st_size);
        if (options_.detect_hardlinks && st.st_nlink > 1) {
          auto key = std::make_pair(st.st_dev, st.st_ino);
          auto it = inodes_.find(key);
          if (it != inodes_.end()) {
            e.kind = EntryKind::hardlink;
            e.link_to = it->second;
          } else {
            inodes_.emplace(key, out_.size());
          }
        }
        out_.push_back(std::move(e));
      } else if (S_ISLNK(st.st_mode)) {
        e.kind = EntryKind::symlink;
        std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 256) + 1, '\0');
        for (;;) {
          ssize_t n = ::readlinkat(fd, name.c_str(), target.data(), target.size());
          if (n < 0) {
            int err = errno;
            ::closedir(dir);
            throw_io(fmt::format("{}: cannot read symlink: {}", child_display, std::strerror(err)));
          }
          if (static_cast<std::size_t>(n) < target.size()) {
            target.resize(static_cast<std::size_t>(n));
            break;
          }
          target.resize(target.size() * 2);
        }
        e.target = std::move(target);
        out_.push_back(std::move(e));
      } else {
        warn_ << fmt::format("h5dig: {}: skipped (not a file, directory or symlink)\n", child_display);
      }
    }
    ::closedir(dir);
  }

 private:
  const WalkOptions& options_;
  std::ostream& warn_;
  std::vector<FsEntry>& out_;
  std::map<std::pair<dev_t, ino_t>, std::size_t> inodes_;
};

}  // namespace

std::vector<FsEntry> walk_tree(const std::string& root, const WalkOptions& options, std::ostream& warn) {
  std::vector<FsEntry> out;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_io(fmt::format("{}: cannot open directory: {}", root, std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw_io(fmt::format("{}: cannot stat: {}", root, std::strerror(e)));
  }
  FsEntry r;
  r.kind = EntryKind::directory;
  r.mode = st.st_mode & 07777;
  r.mtime_ns = mtime_ns_of(st);
  r.dev = st.st_dev;
  r.ino = st.st_ino;
  out.push_back(std::move(r));
  std::string display = root;
  while (display.size() > 1 && display.back() == '/') display.pop_back();
  Walker walker(options, warn, out);
  walker.walk_dir(fd, display, "", 0);
  return out;
}

}  // namespace h5dig::archive::detail

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
#include <utility>

#include "h5dig/error.hpp"

namespace h5dig::archive::detail {

namespace {

std::int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// An open directory and its entry names, sorted by bytes.
struct Listing {
  DIR* dir = nullptr;
  std::vector<std::string> names;
  Listing() = default;
  Listing(const Listing&) = delete;
  Listing& operator=(const Listing&) = delete;
  ~Listing() {
    if (dir) ::closedir(dir);
  }
  int fd() const { return ::dirfd(dir); }
};

// Lists the directory open as `fd` (ownership passes to `listing`). Returns ""
// or why it could not be listed.
std::string list_dir(int fd, Listing& listing) {
  listing.dir = ::fdopendir(fd);
  if (!listing.dir) {
    std::string reason = std::strerror(errno);
    ::close(fd);
    return reason;
  }
  errno = 0;
  while (dirent* d = ::readdir(listing.dir)) {
    if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
    listing.names.emplace_back(d->d_name);
  }
  if (errno != 0) return fmt::format("cannot list directory: {}", std::strerror(errno));
  std::sort(listing.names.begin(), listing.names.end());
  return "";
}

class Walker {
 public:
  Walker(const WalkOptions& options, std::ostream& warn, std::vector<FsEntry>& out, InodeIndex& inodes)
      : options_(options), warn_(warn), out_(out), inodes_(inodes) {}

  bool excluded(const std::string& name, const std::string& rel) const {
    for (const auto& glob : options_.excludes) {
      if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
      if (::fnmatch(glob.c_str(), rel.c_str(), FNM_PATHNAME) == 0) return true;
    }
    return false;
  }

  void unreadable(std::string display, std::string rel, std::string reason, bool subtree) {
    if (!options_.on_unreadable) throw_io(fmt::format("{}: {}", display, reason));
    options_.on_unreadable(Unreadable{std::move(display), std::move(rel), std::move(reason), subtree});
  }

  // The children of a listed directory; `display` is its path for messages.
  void walk_dir(const Listing& listing, const std::string& display, const std::string& rel, int depth) {
    const int fd = listing.fd();
    for (const auto& name : listing.names) {
      std::string child_rel = rel.empty() ? name : rel + "/" + name;
      std::string child_display = display + "/" + name;
      if (excluded(name, child_rel)) continue;
      struct stat st;
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        // Typically ENOENT: removed since the directory was listed.
        unreadable(child_display, child_rel, std::strerror(errno), false);
        continue;
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
        // Listed before its entry is kept: a directory that cannot be listed is
        // left out whole rather than archived as if it were empty.
        Listing child;
        int child_fd = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        std::string reason = child_fd < 0 ? std::string(std::strerror(errno)) : list_dir(child_fd, child);
        if (!reason.empty()) {
          unreadable(child_display, child_rel, reason, true);
          continue;
        }
        e.kind = EntryKind::directory;
        out_.push_back(std::move(e));
        walk_dir(child, child_display, child_rel, depth + 1);
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
        std::string reason;
        for (;;) {
          ssize_t n = ::readlinkat(fd, name.c_str(), target.data(), target.size());
          if (n < 0) {
            reason = fmt::format("cannot read symlink: {}", std::strerror(errno));
            break;
          }
          if (static_cast<std::size_t>(n) < target.size()) {
            target.resize(static_cast<std::size_t>(n));
            break;
          }
          target.resize(target.size() * 2);
        }
        if (!reason.empty()) {
          unreadable(child_display, child_rel, reason, false);
          continue;
        }
        e.target = std::move(target);
        out_.push_back(std::move(e));
      } else {
        const char* what = S_ISSOCK(st.st_mode)  ? "a socket"
                           : S_ISFIFO(st.st_mode) ? "a FIFO"
                           : S_ISBLK(st.st_mode)  ? "a block device"
                           : S_ISCHR(st.st_mode)  ? "a character device"
                                                  : "not a file, directory or symlink";
        if (options_.on_unreadable)
          options_.on_unreadable(Unreadable{child_display, child_rel, what, false, true});
        else
          warn_ << fmt::format("h5dig: {}: skipped ({})\n", child_display, what);
      }
    }
  }

 private:
  const WalkOptions& options_;
  std::ostream& warn_;
  std::vector<FsEntry>& out_;
  InodeIndex& inodes_;
};

}  // namespace

void walk_tree_into(const std::string& root, const WalkOptions& options, std::ostream& warn,
                    std::vector<FsEntry>& out, InodeIndex& inodes) {
  std::string display = root;
  while (display.size() > 1 && display.back() == '/') display.pop_back();
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_io(fmt::format("{}: cannot open directory: {}", display, std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw_io(fmt::format("{}: cannot stat: {}", display, std::strerror(e)));
  }
  Listing listing;
  std::string reason = list_dir(fd, listing);
  if (!reason.empty()) throw_io(fmt::format("{}: {}", display, reason));
  FsEntry r;
  r.kind = EntryKind::directory;
  r.mode = st.st_mode & 07777;
  r.mtime_ns = mtime_ns_of(st);
  r.dev = st.st_dev;
  r.ino = st.st_ino;
  out.push_back(std::move(r));
  Walker walker(options, warn, out, inodes);
  walker.walk_dir(listing, display, "", 0);
}

std::vector<FsEntry> walk_tree(const std::string& root, const WalkOptions& options, std::ostream& warn) {
  std::vector<FsEntry> out;
  InodeIndex inodes;
  walk_tree_into(root, options, warn, out, inodes);
  return out;
}

}  // namespace h5dig::archive::detail

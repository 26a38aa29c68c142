// Walking a directory tree for zip and verify: lstat only, never following a
// symlink, names kept as raw bytes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace h5dig::archive::detail {

enum class EntryKind { directory, file, symlink, hardlink, other };

struct FsEntry {
  EntryKind kind = EntryKind::other;
  std::string rel;       // path relative to the walked root, '/'-joined; "" for the root
  std::string name;      // last component (raw bytes)
  int depth = 0;         // 0 for the root, 1 for its children, ...
  std::uint32_t mode = 0;  // permission bits (07777)
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;  // regular files
  std::string target;      // symlinks: the link text
  std::size_t link_to = 0; // hardlinks: index (in the output vector) of the first entry of the same inode
  dev_t dev = 0;
  ino_t ino = 0;
};

// An entry below the root that the walk left out: one it could not read, or a
// socket, FIFO or device (`special`: nothing an archive can hold, not a failure).
struct Unreadable {
  std::string display;  // the root joined with `rel`, for messages
  std::string rel;
  std::string reason;   // "Permission denied", "cannot read symlink: ...", "a socket"
  bool subtree = false; // a directory that could not be opened or listed: nothing under it was walked
  bool special = false; // a socket, FIFO or device
};

struct WalkOptions {
  std::vector<std::string> excludes;  // fnmatch globs on the name or the relative path
  // Skip this inode (the archive being written, when inside the tree).
  dev_t skip_dev = 0;
  ino_t skip_ino = 0;
  bool detect_hardlinks = true;
  // Called for an entry below the root that cannot be stat'ed or read (a
  // directory that cannot be opened or listed is left out with its subtree),
  // and for sockets, FIFOs and devices; the walk goes on. Unset: Error(io)
  // naming the path is thrown instead, and special files are reported on `warn`.
  std::function<void(const Unreadable&)> on_unreadable;
};

// First entry seen of each multiply-linked inode: an index into the output vector.
using InodeIndex = std::map<std::pair<dev_t, ino_t>, std::size_t>;

// Pre-order walk of `root` (a directory), children in byte order of their names,
// appended to `out`. The root entry comes first (kind directory, rel ""). Regular
// files with several links become `hardlink` entries pointing at the first one
// seen, in this walk or an earlier one sharing `inodes`. Entries that are neither
// directories, files nor symlinks (sockets, FIFOs, devices) are left out and
// reported to `on_unreadable` (marked special), or on `warn` without it. Throws Error(io) naming the root if it cannot be opened or
// listed.
void walk_tree_into(const std::string& root, const WalkOptions& options, std::ostream& warn,
                    std::vector<FsEntry>& out, InodeIndex& inodes);

// walk_tree_into for one tree.
std::vector<FsEntry> walk_tree(const std::string& root, const WalkOptions& options, std::ostream& warn);

}  // namespace h5dig::archive::detail

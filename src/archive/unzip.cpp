// unzip: read the members, create directories (refusing anything that would
// go through a symlink), extract file contents through the parallel content
// pipeline, then hard links, then symlinks (last, so no later write can pass
// through one), then directory modes and mtimes, deepest first.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "archive/content.hpp"
#include "archive/members.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/error.hpp"
#include "h5dig/util/atomic_output.hpp"
#include "h5dig/util/fd.hpp"

namespace h5dig::archive {

using detail::Member;
using detail::MemberKind;

namespace {

struct timespec to_timespec(std::int64_t ns) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000LL);
  ts.tv_nsec = static_cast<long>(ns % 1000000000LL);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1000000000L;
    ts.tv_sec -= 1;
  }
  return ts;
}

// Sets mode and mtime on an open descriptor (atime = mtime, as tar does).
int apply_meta(int fd, const Member& m, mode_t default_mode) {
  if (::fchmod(fd, m.mode ? static_cast<mode_t>(*m.mode) : default_mode) != 0) return errno;
  if (m.mtime_ns) {
    struct timespec times[2] = {to_timespec(*m.mtime_ns), to_timespec(*m.mtime_ns)};
    if (::futimens(fd, times) != 0) return errno;
  }
  return 0;
}

// Normalises a MEMBER argument: strips "./" and duplicate or trailing slashes.
// Returns nullopt with `why` set for absolute names and "..".
std::optional<std::string> normalise_member(const std::string& arg, std::string& why) {
  if (!arg.empty() && arg.front() == '/') {
    why = "absolute member name";
    return std::nullopt;
  }
  std::string out;
  std::size_t pos = 0;
  while (pos <= arg.size()) {
    std::size_t slash = arg.find('/', pos);
    std::string part = arg.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (part == "..") {
      why = "member name contains ..";
      return std::nullopt;
    }
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return out;
}

class Extractor : public detail::ContentSink {
 public:
  Extractor(const std::filesystem::path& archive, std::vector<Member>& members, int root_fd,
            const std::filesystem::path& root, mode_t umask_bits, std::ostream& warn, UnzipStats& stats)
      : archive_(archive.string()),
        members_(members),
        root_fd_(root_fd),
        root_(root),
        umask_(umask_bits),
        warn_(warn),
        stats_(stats),
        done_(members.size(), false) {}

  void say(const Member& m, const std::string& what) {
    warn_ << fmt::format("h5dig: {}/{}: {}\n", archive_, m.path, what);
  }

  // Removes whatever non-directory is at m.path; false (errno set) otherwise.
  bool remove_non_directory(const Member& m) {
    struct stat st;
    if (::fstatat(root_fd_, m.path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    if (S_ISDIR(st.st_mode)) {
      errno = EISDIR;
      return false;
    }
    return ::unlinkat(root_fd_, m.path.c_str(), 0) == 0;
  }

  // Starts `m.path` as an atomic output (util::AtomicOutput, relative to the
  // root): a non-directory there (a symlink included, never written through) is
  // replaced by the rename once the content is complete and checked; until then
  // it stays, and nothing partial is ever left under the member's name.
  void begin(std::size_t index) override {
    const Member& m = members_[index];
    struct stat st;
    if (::fstatat(root_fd_, m.path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      problem_ = fmt::format("cannot create: {}", std::strerror(EISDIR));
      return;
    }
    try {
      out_.emplace(root_fd_, m.path, root_ / m.path);
    } catch (const Error& e) {
      problem_ = e.what();
    }
  }

  void data(std::size_t index, std::uint64_t offset, std::span<const std::byte> bytes) override {
    if (!out_ || !problem_.empty()) return;
    try {
      out_->write_at(offset, bytes);
    } catch (const Error& e) {
      problem_ = e.what();
      return;
    }
    written_ += bytes.size();
  }

  void end(std::size_t index, std::uint32_t crc, const std::string& error) override {
    const Member& m = members_[index];
    std::string problem = std::move(problem_);
    if (out_ && problem.empty()) {
      if (!error.empty()) {
        problem = error;
      } else if (m.crc32 && *m.crc32 != crc) {
        problem = fmt::format("checksum mismatch (archive says {:08x}, content is {:08x})", *m.crc32, crc);
      } else if (int e = apply_meta(out_->fd(), m, 0666 & ~umask_); e != 0) {
        problem = fmt::format("cannot set mode/mtime: {}", std::strerror(e));
      } else {
        try {
          out_->commit();
        } catch (const Error& e) {
          problem = e.what();
        }
      }
    }
    out_.reset();  // removes the temporary file unless committed: no partial files
    if (!problem.empty()) {
      say(m, problem);
      ++stats_.failed;
    } else {
      done_[index] = true;
      ++stats_.files;
      stats_.bytes_out += written_;
    }
    problem_.clear();
    written_ = 0;
  }

  bool done(std::size_t index) const { return done_[index]; }

 private:
  std::string archive_;
  std::vector<Member>& members_;
  int root_fd_;
  std::filesystem::path root_;  // the extraction directory as given: names the temporary files for Ctrl-C
  mode_t umask_;
  std::ostream& warn_;
  UnzipStats& stats_;
  std::vector<bool> done_;
  std::optional<util::AtomicOutput> out_;  // the member being extracted
  std::string problem_;                    // why it failed so far (creating or writing it)
  std::uint64_t written_ = 0;
};

}  // namespace

UnzipStats run_unzip(const std::filesystem::path& archive, const UnzipOptions& options, std::ostream& warn) {
  h5::File file = h5::File::open(archive);
  std::vector<Member> members = detail::read_members(file);
  UnzipStats stats;
  const std::string archive_name = archive.string();
  auto say = [&](const std::string& path, const std::string& what) {
    warn << fmt::format("h5dig: {}/{}: {}\n", archive_name, path, what);
  };

  // ---- selection: everything, or the named members with their subtrees
  std::vector<char> selected(members.size(), options.members.empty() ? 1 : 0);
  bool whole = options.members.empty();
  for (const auto& arg : options.members) {
    std::string why;
    auto name = normalise_member(arg, why);
    if (!name) {
      warn << fmt::format("h5dig: {}: refused: {}\n", arg, why);
      ++stats.refused;
      continue;
    }
    if (name->empty()) {
      whole = true;
      std::fill(selected.begin(), selected.end(), 1);
      continue;
    }
    std::size_t found = members.size();
    bool through_symlink = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const Member& m = members[i];
      if (m.path == *name) found = i;
      if (m.kind == MemberKind::symlink && name->size() > m.path.size() && name->compare(0, m.path.size(), m.path) == 0 &&
          (*name)[m.path.size()] == '/')
        through_symlink = true;
    }
    if (through_symlink) {
      warn << fmt::format("h5dig: {}: refused: goes through an archived symlink\n", arg);
      ++stats.refused;
      continue;
    }
    if (found == members.size()) {
      warn << fmt::format("h5dig: {}/{}: not found in the archive\n", archive_name, *name);
      ++stats.failed;
      continue;
    }
    std::string prefix = *name + "/";
    for (std::size_t i = 0; i < members.size(); ++i)
      if (i == found || members[i].path.compare(0, prefix.size(), prefix) == 0) selected[i] = 1;
  }

  // ---- the target directory
  std::error_code ec;
  std::filesystem::create_directories(options.directory, ec);
  const util::Fd root(::open(options.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid())
    throw_io(fmt::format("{}: cannot open directory: {}", options.directory.string(), std::strerror(errno)));
  const int root_fd = root.get();
  mode_t umask_bits = ::umask(0);
  ::umask(umask_bits);

  // ---- pass 1: decide, in pre-order, what is safe; create directories.
  // ok[i]: member i's own directory exists and is a real directory we may write into.
  std::vector<char> ok(members.size(), 0);
  ok[0] = 1;
  std::vector<std::size_t> files, hardlinks, symlinks, dirs;
  for (std::size_t i = 1; i < members.size(); ++i) {
    Member& m = members[i];
    if (!ok[m.parent]) continue;  // below a refused or failed directory: reported there
    // Ancestors of a selected member are needed as plain directories.
    bool wanted = selected[i] != 0;
    bool ancestor = false;
    if (!wanted && m.kind == MemberKind::directory) {
      std::string prefix = m.path + "/";
      for (std::size_t j = i + 1; j < members.size() && !ancestor; ++j)
        if (selected[j] && members[j].path.compare(0, prefix.size(), prefix) == 0) ancestor = true;
    }
    if (!wanted && !ancestor) continue;
    if (!m.problem.empty()) {
      say(m.path, "refused: " + m.problem);
      ++stats.refused;
      continue;
    }
    switch (m.kind) {
      case MemberKind::directory: {
        mode_t mode = 0777;
        if (ancestor || !m.mode) mode = 0777;
        else mode = 0700;  // owner-writable while extracting; the archived mode comes last
        if (::mkdirat(root_fd, m.path.c_str(), mode) != 0) {
          int e = errno;
          struct stat st;
          if (e != EEXIST || ::fstatat(root_fd, m.path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            say(m.path, fmt::format("cannot create directory: {}", std::strerror(e)));
            ++stats.failed;
            continue;
          }
          if (S_ISLNK(st.st_mode)) {
            say(m.path, "refused: a symlink is in the way (extraction never writes through symlinks)");
            ++stats.refused;
            continue;
          }
          if (!S_ISDIR(st.st_mode)) {
            say(m.path, "cannot create directory: a file is in the way");
            ++stats.failed;
            continue;
          }
        }
        ok[i] = 1;
        if (wanted) {
          dirs.push_back(i);
          ++stats.directories;
        }
        break;
      }
      case MemberKind::file: files.push_back(i); break;
      case MemberKind::hardlink:
        if (selected[m.link_to]) {
          hardlinks.push_back(i);
        } else {
          // The first link is not being extracted: this one carries the content.
          m.kind = MemberKind::file;
          files.push_back(i);
        }
        break;
      case MemberKind::symlink: symlinks.push_back(i); break;
      case MemberKind::other:
        say(m.path, "refused: not a file, directory or symlink");
        ++stats.refused;
        break;
    }
  }

  // ---- pass 2: file contents, in parallel
  Extractor extractor(archive, members, root_fd, options.directory, umask_bits, warn, stats);
  {
    std::uint64_t total = 0;
    for (auto i : files) total += members[i].size;
    util::Progress progress("unzip", total);
    detail::read_contents(file, members, files, options.threads, extractor,
                          options.progress && progress.enabled() ? &progress : nullptr);
    progress.finish();
  }

  // ---- pass 3: hard links to extracted files
  for (auto i : hardlinks) {
    const Member& m = members[i];
    const Member& first = members[m.link_to];
    if (!extractor.done(m.link_to)) {
      say(m.path, fmt::format("not linked: {} was not extracted", first.path));
      ++stats.failed;
      continue;
    }
    int rc = ::linkat(root_fd, first.path.c_str(), root_fd, m.path.c_str(), 0);
    if (rc != 0 && errno == EEXIST && extractor.remove_non_directory(m))
      rc = ::linkat(root_fd, first.path.c_str(), root_fd, m.path.c_str(), 0);
    if (rc != 0) {
      say(m.path, fmt::format("cannot create hard link: {}", std::strerror(errno)));
      ++stats.failed;
      continue;
    }
    ++stats.hardlinks;
  }

  // ---- pass 4: symlinks, created last: nothing is written after them
  for (auto i : symlinks) {
    const Member& m = members[i];
    int rc = ::symlinkat(m.target.c_str(), root_fd, m.path.c_str());
    if (rc != 0 && errno == EEXIST && extractor.remove_non_directory(m))
      rc = ::symlinkat(m.target.c_str(), root_fd, m.path.c_str());
    if (rc != 0) {
      say(m.path, fmt::format("cannot create symlink: {}", std::strerror(errno)));
      ++stats.failed;
      continue;
    }
    ++stats.symlinks;
  }

  // ---- pass 5: directory modes and mtimes, deepest first (writing into a
  // directory changes its mtime; a read-only mode would block the writes)
  auto fix_dir = [&](const Member& m, int fd) {
    if (!m.mode && !m.mtime_ns) return;
    if (int e = apply_meta(fd, m, 0777 & ~umask_bits); e != 0) {
      say(m.path, fmt::format("cannot set mode/mtime: {}", std::strerror(e)));
      ++stats.failed;
    }
  };
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    const Member& m = members[*it];
    const util::Fd fd(::openat(root_fd, m.path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
      say(m.path, fmt::format("cannot open directory: {}", std::strerror(errno)));
      ++stats.failed;
      continue;
    }
    fix_dir(m, fd.get());
  }
  if (whole) fix_dir(members[0], root_fd);
  return stats;
}

}  // namespace h5dig::archive

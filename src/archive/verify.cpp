// verify: decode every archived file and check its crc32; with a tree, compare
// the archive with it entry by entry.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "archive/content.hpp"
#include "archive/members.hpp"
#include "archive/tree_walk.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/error.hpp"
#include "h5dig/exec/pipeline.hpp"
#include "h5dig/util/fd.hpp"

namespace h5dig::archive {

using detail::EntryKind;
using detail::FsEntry;
using detail::Member;
using detail::MemberKind;

namespace {

std::string shown(const std::string& path) { return path.empty() ? "." : path; }

class Checker : public detail::ContentSink {
 public:
  Checker(const std::vector<Member>& members, std::vector<std::string>& lines) : members_(members), lines_(lines) {}
  void begin(std::size_t) override {}
  void data(std::size_t, std::uint64_t, std::span<const std::byte>) override {}
  void end(std::size_t index, std::uint32_t crc, const std::string& error) override {
    const Member& m = members_[index];
    if (!error.empty()) {
      lines_.push_back(fmt::format("corrupt: {}: {}", shown(m.path), error));
    } else if (m.crc32 && *m.crc32 != crc) {
      lines_.push_back(
          fmt::format("checksum mismatch: {} (archive says {:08x}, content is {:08x})", shown(m.path), *m.crc32, crc));
    }
    crcs[index] = crc;
  }
  std::map<std::size_t, std::uint32_t> crcs;

 private:
  const std::vector<Member>& members_;
  std::vector<std::string>& lines_;
};

// CRC-32 of a file on disk, or an error message.
std::pair<std::uint32_t, std::string> file_crc(const std::string& path) {
  const util::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return {0, std::strerror(errno)};
  std::vector<std::byte> buffer(1u << 20);
  std::uint32_t crc = 0;
  for (std::uint64_t offset = 0;;) {
    const util::ReadResult r = util::pread_exact(fd.get(), buffer, offset);
    if (r.error != 0) return {0, std::strerror(r.error)};
    crc = detail::crc32_update(crc, std::span(buffer.data(), r.bytes));
    if (r.bytes < buffer.size()) break;  // end of file
    offset += r.bytes;
  }
  return {crc, ""};
}

const char* kind_name(MemberKind k) {
  switch (k) {
    case MemberKind::directory: return "directory";
    case MemberKind::file:
    case MemberKind::hardlink: return "file";
    case MemberKind::symlink: return "symlink";
    default: return "other";
  }
}
const char* kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::directory: return "directory";
    case EntryKind::file:
    case EntryKind::hardlink: return "file";
    case EntryKind::symlink: return "symlink";
    default: return "other";
  }
}

}  // namespace

std::uint64_t run_verify(const std::filesystem::path& archive, const VerifyOptions& options, std::ostream& out) {
  h5::File file = h5::File::open(archive);
  std::vector<Member> members = detail::read_members(file);
  std::vector<std::string> lines;

  std::vector<std::size_t> files;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (!m.problem.empty()) {
      lines.push_back(fmt::format("unsafe: {}: {}", shown(m.path), m.problem));
      continue;
    }
    if (m.kind == MemberKind::file) {
      files.push_back(i);
      total += m.size;
    }
  }
  Checker checker(members, lines);
  {
    util::Progress progress("verify", total);
    detail::read_contents(file, members, files, options.threads, checker,
                          options.progress && progress.enabled() ? &progress : nullptr);
    progress.finish();
  }

  if (options.tree) {
    std::ostringstream warn;
    std::string root = options.tree->string();
    // Entries of the tree that cannot be read are differences too (the archive
    // cannot be shown to match them); archive members at or under them are
    // not reported again as missing.
    std::set<std::string> unreadable;
    detail::WalkOptions walk_options;
    walk_options.on_unreadable = [&](const detail::Unreadable& u) {
      if (u.special) return;  // never archived, so not a difference
      lines.push_back(fmt::format("unreadable: {}: {}{}", u.rel, u.reason,
                                  u.subtree ? " (directory not compared, nor anything under it)" : ""));
      unreadable.insert(u.rel);
    };
    auto under_unreadable = [&](const std::string& path) {
      for (std::string p = path;;) {
        if (unreadable.count(p)) return true;
        auto slash = p.rfind('/');
        if (slash == std::string::npos) return false;
        p.resize(slash);
      }
    };
    std::vector<FsEntry> tree = detail::walk_tree(root, walk_options, warn);
    std::map<std::string, std::size_t> by_path;
    for (std::size_t i = 0; i < tree.size(); ++i) by_path.emplace(tree[i].rel, i);
    std::vector<char> matched(tree.size(), 0);
    // Files whose content must be read from the tree (same kind, same size).
    std::vector<std::pair<std::size_t, std::size_t>> to_hash;  // (member, tree entry)
    for (std::size_t i = 0; i < members.size(); ++i) {
      const Member& m = members[i];
      if (!m.problem.empty()) continue;
      auto it = by_path.find(m.path);
      if (it == by_path.end()) {
        if (!unreadable.empty() && under_unreadable(m.path)) continue;
        lines.push_back(fmt::format("missing: {} (in the archive, not in the tree)", shown(m.path)));
        continue;
      }
      const FsEntry& e = tree[it->second];
      matched[it->second] = 1;
      if (std::string(kind_name(m.kind)) != kind_name(e.kind)) {
        lines.push_back(fmt::format("type changed: {} ({} in the archive, {} in the tree)", shown(m.path),
                                    kind_name(m.kind), kind_name(e.kind)));
        continue;
      }
      if (m.kind == MemberKind::symlink) {
        if (m.target != e.target)
          lines.push_back(fmt::format("link target changed: {} ({} in the archive, {} in the tree)", shown(m.path),
                                      m.target, e.target));
        continue;  // symlink modes and times are not archived
      }
      if (m.kind == MemberKind::file || m.kind == MemberKind::hardlink) {
        bool archive_link = m.kind == MemberKind::hardlink;
        bool tree_link = e.kind == EntryKind::hardlink;
        if (archive_link != tree_link ||
            (archive_link && members[m.link_to].path != tree[e.link_to].rel)) {
          lines.push_back(fmt::format("hard link changed: {} ({} in the archive, {} in the tree)", shown(m.path),
                                      archive_link ? "link to " + members[m.link_to].path : "separate file",
                                      tree_link ? "link to " + tree[e.link_to].rel : "separate file"));
        }
        if (m.kind == MemberKind::file) {
          if (m.size != e.size)
            lines.push_back(fmt::format("content changed: {} ({} bytes in the archive, {} in the tree)", shown(m.path),
                                        m.size, e.size));
          else
            to_hash.emplace_back(i, it->second);
        }
      }
      if (m.mode && *m.mode != e.mode)
        lines.push_back(fmt::format("mode changed: {} ({:04o} in the archive, {:04o} in the tree)", shown(m.path),
                                    *m.mode, e.mode));
      if (m.mtime_ns && *m.mtime_ns != e.mtime_ns)
        lines.push_back(fmt::format("mtime changed: {} ({} ns in the archive, {} ns in the tree)", shown(m.path),
                                    *m.mtime_ns, e.mtime_ns));
    }
    for (std::size_t i = 0; i < tree.size(); ++i)
      if (!matched[i]) lines.push_back(fmt::format("extra: {} (in the tree, not in the archive)", shown(tree[i].rel)));

    // Tree contents: read and checksummed in parallel (file I/O only).
    std::vector<std::pair<std::uint32_t, std::string>> crcs(to_hash.size());
    exec::parallel_for_index({.threads = options.threads}, to_hash.size(), [&](std::size_t k, std::size_t) {
      std::string path = root + "/" + tree[to_hash[k].second].rel;
      crcs[k] = file_crc(path);
    });
    for (std::size_t k = 0; k < to_hash.size(); ++k) {
      const Member& m = members[to_hash[k].first];
      if (!crcs[k].second.empty()) {
        lines.push_back(fmt::format("unreadable: {}: {}", shown(m.path), crcs[k].second));
        continue;
      }
      auto it = checker.crcs.find(to_hash[k].first);
      std::uint32_t archived = m.crc32 ? *m.crc32 : (it != checker.crcs.end() ? it->second : 0);
      if (archived != crcs[k].first) lines.push_back(fmt::format("content changed: {}", shown(m.path)));
    }
  }
  for (const auto& line : lines) out << line << "\n";
  return lines.size();
}

}  // namespace h5dig::archive

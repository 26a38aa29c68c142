// The `tar -tv`-like listing of an archive (h5dig ls --archive).
#include <time.h>

#include <fmt/format.h>

#include "archive/members.hpp"
#include "h5dig/archive/archive.hpp"

namespace h5dig::archive {

using detail::Member;
using detail::MemberKind;

void run_ls_archive(const std::filesystem::path& archive, std::ostream& out) {
  h5::File file = h5::File::open(archive);
  std::vector<Member> members = detail::read_members(file);
  for (std::size_t i = 1; i < members.size(); ++i) {
    const Member& m = members[i];
    std::string mode;
    if (m.kind == MemberKind::symlink) {
      mode = "lrwxrwxrwx";
    } else if (m.mode) {
      mode = detail::mode_string(m.kind, *m.mode);
    } else {
      mode = detail::mode_string(m.kind, 0);
      for (std::size_t k = 1; k < mode.size(); ++k) mode[k] = '?';
    }
    std::string when(16, '?');
    if (m.mtime_ns) {
      time_t secs = static_cast<time_t>(*m.mtime_ns / 1000000000LL);
      struct tm tm;
      if (::localtime_r(&secs, &tm)) {
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
        when = buf;
      }
    }
    std::uint64_t size = m.kind == MemberKind::file ? m.size : 0;
    std::string name = m.path;
    if (m.kind == MemberKind::directory) name += "/";
    if (m.kind == MemberKind::symlink) name += " -> " + m.target;
    if (m.kind == MemberKind::hardlink) name += " link to " + members[m.link_to].path;
    if (!m.problem.empty()) name += "  [" + m.problem + "]";
    out << fmt::format("{} {:>12} {} {}\n", mode, size, when, name);
  }
}

}  // namespace h5dig::archive

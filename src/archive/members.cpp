#include "archive/members.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace h5dig::archive::detail {

bool safe_component(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

namespace {

std::optional<std::uint32_t> as_u32(std::optional<std::int64_t> v) {
  if (!v || *v < 0 || *v > 0xFFFFFFFFLL) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

class Reader {
 public:
  explicit Reader(std::vector<Member>& out) : out_(out) {}

  void read_group(const h5::Group& group, std::size_t self, int depth) {
    for (auto& link : h5::list_links(group)) {
      Member m;
      m.name = link.name;
      m.depth = depth + 1;
      m.parent = self;
      m.path = out_[self].path.empty() ? link.name : out_[self].path + "/" + link.name;
      if (!safe_component(link.name)) {
        m.problem = "unsafe name";
        out_.push_back(std::move(m));
        continue;
      }
      if (link.link_type == h5::LinkType::soft) {
        m.kind = MemberKind::symlink;
        m.target = link.soft_target;
        if (m.target.empty()) m.problem = "empty symlink target";
        out_.push_back(std::move(m));
        continue;
      }
      if (link.link_type != h5::LinkType::hard) {
        m.problem = link.link_type == h5::LinkType::external ? "external link not supported" : "unknown link type";
        out_.push_back(std::move(m));
        continue;
      }
      h5::ObjectIdentity id{link.object_type, link.address, 0};
      m.address = id.address;
      if (id.type == h5::ObjectType::group) {
        m.kind = MemberKind::directory;
        if (!groups_seen_.insert(id.address).second) {
          m.problem = "group linked more than once (hard-linked directory or cycle)";
          out_.push_back(std::move(m));
          continue;
        }
        h5::Group child = h5::open_child_group(group, link.name);
        read_attrs(child, m);
        std::size_t index = out_.size();
        out_.push_back(std::move(m));
        read_group(child, index, depth + 1);
      } else if (id.type == h5::ObjectType::dataset) {
        if (auto it = datasets_seen_.find(id.address); it != datasets_seen_.end()) {
          const Member& first = out_[it->second];
          m.kind = MemberKind::hardlink;
          m.link_to = it->second;
          m.size = first.size;
          m.mode = first.mode;
          m.mtime_ns = first.mtime_ns;
          m.crc32 = first.crc32;
          if (!first.problem.empty()) m.problem = first.problem;
          out_.push_back(std::move(m));
          continue;
        }
        h5::Dataset ds = h5::open_child_dataset(group, link.name);
        h5::ByteDatasetLayout layout = h5::byte_dataset_layout(ds);
        m.kind = MemberKind::file;
        if (layout.rank != 1 || layout.element_size != 1 || !layout.integer_type) {
          m.problem = fmt::format("not an archived file (rank {}, {}-byte {} elements)", layout.rank,
                                  layout.element_size, layout.integer_type ? "integer" : "non-integer");
        }
        m.size = layout.size;
        read_attrs(ds, m);
        m.crc32 = as_u32(h5::read_int_attribute(ds, "crc32"));
        datasets_seen_.emplace(id.address, out_.size());
        out_.push_back(std::move(m));
      } else {
        m.problem = "not a group or dataset";
        out_.push_back(std::move(m));
      }
    }
  }

  static void read_attrs(const h5::Location& loc, Member& m) {
    if (auto mode = as_u32(h5::read_int_attribute(loc, "mode"))) m.mode = *mode & 07777;
    m.mtime_ns = h5::read_int_attribute(loc, "mtime_ns");
  }

  std::set<h5::Address> groups_seen_;
  std::map<h5::Address, std::size_t> datasets_seen_;

 private:
  std::vector<Member>& out_;
};

}  // namespace

std::vector<Member> read_members(const h5::File& file) {
  std::vector<Member> out;
  h5::Group root = file.root();
  Member r;
  r.kind = MemberKind::directory;
  Reader::read_attrs(root, r);
  out.push_back(std::move(r));
  Reader reader(out);
  reader.groups_seen_.insert(h5::object_identity(root).address);
  reader.read_group(root, 0, 0);
  return out;
}

std::string mode_string(MemberKind kind, std::uint32_t mode) {
  std::string s(10, '-');
  s[0] = kind == MemberKind::directory ? 'd' : kind == MemberKind::symlink ? 'l' : kind == MemberKind::hardlink ? 'h' : '-';
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (mode & (1u << (8 - i))) s[static_cast<std::size_t>(1 + i)] = rwx[i];
  if (mode & 04000) s[3] = (mode & 0100) ? 's' : 'S';
  if (mode & 02000) s[6] = (mode & 0010) ? 's' : 'S';
  if (mode & 01000) s[9] = (mode & 0001) ? 't' : 'T';
  return s;
}

}  // namespace h5dig::archive::detail

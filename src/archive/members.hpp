// The members of an archive as read from the HDF5 file: what unzip, verify and
// the listing work from. Nothing is followed: soft links are read as values,
// and a group reached twice (a hard-linked group, or a cycle) is reported, not
// walked again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "h5dig/h5/archive.hpp"

namespace h5dig::archive::detail {

enum class MemberKind { directory, file, symlink, hardlink, other };

struct Member {
  MemberKind kind = MemberKind::other;
  std::string path;        // '/'-joined path below the root; "" for the root
  std::string name;        // last component
  int depth = 0;
  std::size_t parent = 0;  // index of the parent directory member
  std::optional<std::uint32_t> mode;
  std::optional<std::int64_t> mtime_ns;
  std::optional<std::uint32_t> crc32;
  std::uint64_t size = 0;  // files: bytes
  std::string target;      // symlinks: link text
  std::size_t link_to = 0; // hardlinks: index of the first link to the same dataset
  h5::Address address = h5::kUndefinedAddress;
  std::string problem;     // non-empty: unsafe or unsupported; the member must be refused
};

// Whether `name` is a safe single path component to create under a directory:
// not empty, not "." or "..", no '/' and no NUL.
bool safe_component(const std::string& name);

// Reads every member of `file` in pre-order, children in name order. Members
// with unsafe names or unsupported types are included with `problem` set;
// the subtree under an unsafe group is not read.
std::vector<Member> read_members(const h5::File& file);

// "rwxr-xr-x"-style mode string with the type letter first (tar -tv).
std::string mode_string(MemberKind kind, std::uint32_t mode);

}  // namespace h5dig::archive::detail

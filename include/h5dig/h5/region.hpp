// Dataset region references (H5T_STD_REF_DSETREG), described for `h5dig ls -d`:
// the referenced dataset's name, the selection (blocks or points), and the
// dataset's type and dataspace in h5dump's words, which is how h5ls 1.10.8
// prints them.
//
// Thread-safety: like everything in h5/, call from one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "h5dig/h5/handle.hpp"

namespace h5dig::h5 {

// A datatype in h5dump's notation (h5tools_print_datatype). Atomic types are
// one word; strings, opaque types, compounds and enums are blocks that h5ls
// spreads over several lines.
struct DumpType {
  enum class Kind { word, string, opaque, compound, enumeration, vlen, array };
  Kind kind = Kind::word;
  std::string text;                 // word: the whole text; array: "[2][3]"
  std::vector<std::string> lines;   // string: STRSIZE/STRPAD/CSET/CTYPE; opaque: OPAQUE_TAG;
                                    // enumeration: one `"NAME"   value;` line per member
  struct Member;
  std::vector<Member> members;      // compound
  std::vector<DumpType> super;      // enumeration (base), vlen, array: exactly one
};
struct DumpType::Member {
  DumpType type;
  std::string name;
};

struct RegionRef {
  enum class State { null, ok, unreadable };
  enum class Selection { none, points, blocks, all };
  State state = State::unreadable;
  std::string name;                 // the referenced dataset's path (H5Rget_name), "" if unknown
  Selection selection = Selection::none;
  unsigned ndims = 0;
  std::uint64_t count = 0;          // blocks or points in the selection
  DataspaceId selection_space;      // the selection, read a batch at a time with read_region_items
  DumpType type;                    // the referenced dataset's type
  std::string space;                // the referenced dataset's dataspace, "SIMPLE { ( 10 ) / ( 10 ) }"
};

// Describes the region reference stored at `ref` (H5R_DSET_REG_REF_BUF_SIZE
// bytes), dereferenced through `loc` (any object in the file). An all-zero
// reference is State::null; one HDF5 cannot dereference is State::unreadable.
RegionRef describe_region_ref(Id loc, const void* ref);

// Blocks or points [first, first+n) of a region's selection (clamped to its
// count): blocks as their start then opposite corner (2*ndims numbers each),
// points as ndims coordinates each. A selection can list far more blocks than
// its stored form suggests (a strided slice of a large dataset), so callers
// read it in bounded batches.
void read_region_items(const RegionRef& ref, std::uint64_t first, std::uint64_t n, std::vector<std::uint64_t>& out);

// Just the referenced dataset's name ("" if it cannot be named), as h5ls
// prints a region reference nested in a compound or array value.
std::string region_ref_name(Id loc, const void* ref);

// Bytes in a stored dataset region reference.
std::size_t region_ref_size();

}  // namespace h5dig::h5

// HDF5 calls the archive layer needs beyond objects.hpp: link iteration and
// creation (hard and soft links), object identity, byte-named children, scalar
// numeric attributes, and the file/dataset property lists an archive is made with.
//
// Names given here are single link names (any bytes but '/' and NUL), always
// resolved relative to a parent group, so HDF5's path parsing never sees a name
// like ".hidden" or "a b" as anything but one component.
//
// Thread-safety: like objects.hpp, none of this may run on two threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "h5dig/h5/copy.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

struct ObjectIdentity {
  ObjectType type = ObjectType::unknown;
  Address address = kUndefinedAddress;  // unique per object in one file
  unsigned reference_count = 0;   // number of hard links to it
};

// Type and address of an open object (H5Oget_info2). Links are listed with
// h5/copy.hpp's list_links.
ObjectIdentity object_identity(const Location& loc);

// Creates a child group / opens one by a single link name.
Group create_child_group(const Group& parent, const std::string& name);
Group open_child_group(const Group& parent, const std::string& name);
Dataset open_child_dataset(const Group& parent, const std::string& name);

// Creates a 1-D unsigned-byte dataset `name` of `size` elements with the given
// dataset creation property list.
Dataset create_byte_dataset(const Group& parent, const std::string& name, Size size, const PropList& dcpl);

// A soft link `name` in `parent` whose value is `target` (stored verbatim).
void make_soft_link(const Group& parent, const std::string& name, const std::string& target);

// A hard link `name` in `parent` to the object at absolute path `existing`.
void make_hard_link(const File& file, const std::string& existing, const Group& parent, const std::string& name);

// Removes the link `name` from `parent` (H5Ldelete). An object left with no
// link is freed by HDF5 once its last open handle closes.
void delete_link(const Group& parent, const std::string& name);

// Scalar numeric attributes (little-endian integers in the file).
void write_u32_attribute(const Location& loc, const std::string& name, std::uint32_t value);
void write_i64_attribute(const Location& loc, const std::string& name, std::int64_t value);
// Reads an integer attribute of any integer type, or nullopt if absent or not
// a scalar/1-element integer.
std::optional<std::int64_t> read_int_attribute(const Location& loc, const std::string& name);
// Deletes attribute `name` if present.
void delete_attribute(const Location& loc, const std::string& name);

// Property lists for a new archive: the 1.10 file format (single-chunk and
// fixed-array chunk indexes, compact link storage: far less metadata per file
// than the 1.8 format's B-trees), and a larger metadata block so many small
// objects pack together.
PropList archive_file_access_plist();
PropList archive_file_create_plist();

// A chunked 1-D byte layout with `chunk` elements per chunk, and deflate at
// `level` (0 = no filter), optional as H5Pset_deflate makes it, so chunks that
// do not compress are stored raw with filter-mask bit 0 set. Fill value writes
// are disabled: every chunk is written directly.
PropList archive_dataset_plist(Size chunk, int level);
// For empty files: a 0-element dataset needs no chunk (contiguous, nothing allocated).
PropList empty_dataset_plist();

// Information needed to read a 1-D dataset's stored chunks.
struct ByteDatasetLayout {
  Layout layout = Layout::error;
  int rank = 0;
  Size size = 0;          // elements (the file size in bytes for archives)
  Size chunk = 0;         // elements per chunk (chunked layout only)
  std::size_t element_size = 0;
  bool integer_type = false;
};
ByteDatasetLayout byte_dataset_layout(const Dataset& ds);

// Reads elements [start, start+count) of a 1-D dataset as bytes of the
// dataset's native type into `out` (H5Dread through HDF5's own filters).
void read_byte_range(const Dataset& ds, Size start, Size count, void* out);

}  // namespace h5dig::h5

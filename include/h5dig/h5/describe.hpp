// Plain-data descriptions of HDF5 objects, links, datatypes and values: what
// `h5dig ls` (text and JSON) prints, gathered in the h5 layer so the inspect
// layer formats without calling HDF5 itself.
//
// Thread-safety: like everything in h5/, call from one thread at a time.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

// A datatype, described recursively. Field groups apply per class.
struct TypeDesc {
  enum class Kind { integer, floating, time, string, bitfield, opaque, compound, reference, enumeration, vlen, array, unknown };
  Kind kind = Kind::unknown;
  TypeClass raw_class = TypeClass::no_class;
  std::size_t size = 0;          // bytes
  std::string native_name;       // "native int" etc. when equal to a native C type, else ""
  std::string ieee_name;         // "IEEE 64-bit little-endian float" when equal to a standard IEEE type
  bool committed = false;        // a named (shared) datatype
  unsigned long committed_fileno = 0;
  std::uint64_t committed_addr = 0;

  // integer, float, bitfield
  ByteOrder order = ByteOrder::error;
  Sign sign = Sign::error;       // integers
  std::size_t precision = 0, offset = 0;
  int lsb_pad = -1, msb_pad = -1;
  // float
  std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0, ebias = 0;
  int norm = -1, inpad = -1;
  // string
  int strpad = -1, cset = -1;
  bool variable = false;
  // compound
  struct Member;
  std::vector<Member> members;
  // enumeration: names and values (values as signed/unsigned 64-bit or hex if wider)
  std::vector<std::string> enum_names;
  std::vector<std::string> enum_values;
  // array
  std::vector<std::uint64_t> dims;
  // enumeration / vlen / array: the base type (exactly one element)
  std::vector<TypeDesc> super;
  // opaque
  std::optional<std::string> tag;
  // reference: which kind (none for the other classes)
  enum class RefKind { none, object, region, other };
  RefKind ref_kind = RefKind::none;
};

struct TypeDesc::Member {
  std::string name;
  std::size_t offset = 0;
  TypeDesc type;
};

// Describes `type` (any class). Never throws for odd types: unknown parts are
// left at their defaults.
TypeDesc describe_type(Id type);

// True if `t` or any type inside it (members, array/vlen/enum bases) is of
// class `kind`, e.g. time, which HDF5 has no native memory type for.
bool contains_kind(const TypeDesc& t, TypeDesc::Kind kind);

// In-memory layout of a value buffer read with `native_memory_type`: the same
// description, of the memory type (member offsets and sizes as in memory).
struct ValueBuffer {
  TypeDesc mem_type;             // description of the memory type
  std::vector<std::byte> bytes;  // count * mem_type.size bytes
  std::uint64_t count = 0;
  // The memory type and space handles, kept for reclaiming variable-length data.
  DatatypeId mem_type_id;
  DataspaceId mem_space_id;
  ValueBuffer() = default;
  ValueBuffer(ValueBuffer&&) = default;
  ValueBuffer& operator=(ValueBuffer&&) = default;
  ~ValueBuffer();  // reclaims variable-length memory
};

// A dataspace, described (H5Sget_simple_extent_*).
struct SpaceDesc {
  enum class Kind { scalar, simple, null, unknown };
  Kind kind = Kind::scalar;
  std::vector<std::uint64_t> dims, maxdims;  // maxdims: UINT64_MAX = unlimited
  std::uint64_t npoints = 0;
};

struct AttributeDesc {
  std::string name;
  SpaceDesc space;
  TypeDesc type;
  Id attr = -1;  // valid only during the callback
};

struct ExternalFile {
  std::string name;
  std::int64_t offset = 0;
  std::uint64_t size = 0;  // UINT64_MAX = unlimited
};

struct VirtualMap {
  std::string file, dataset;
};

struct FilterDesc {
  unsigned id = 0;
  unsigned flags = 0;
  std::string name;
  std::vector<unsigned> cd_values;
};

struct DatasetDesc {
  SpaceDesc space;
  TypeDesc type;
  Layout layout = Layout::error;
  std::vector<std::uint64_t> chunk;
  std::vector<ExternalFile> external;
  std::vector<VirtualMap> virtual_maps;
  std::uint64_t storage_size = 0;
  std::vector<FilterDesc> filters;
};

struct ObjectInfo {
  ObjectType type = ObjectType::unknown;
  unsigned long fileno = 0;
  std::uint64_t addr = 0;
  unsigned rc = 0;
  std::int64_t mtime = 0;
  std::uint64_t num_attrs = 0;
};

struct LinkEntry {
  std::string path;         // full path, as h5ls's traversal builds it
  LinkType link_type = LinkType::hard;
  std::string soft_target;  // soft links
  std::string ext_file, ext_path;  // external links
  ObjectInfo info;          // hard links
  std::optional<std::string> first_seen;  // hard links to an object already listed
};

// Object info by name (H5Oget_info_by_name); nullopt if it does not resolve.
std::optional<ObjectInfo> object_info(Id loc, const std::string& name);
// Link type of `name` (H5Lget_info); nullopt if there is no such link.
std::optional<LinkEntry> link_info(Id loc, const std::string& name);

// Visits the links below group `group_path` in name order, like h5ls's
// traversal (h5trav): depth-first when `recursive`; paths are built as
// group_path + "/" + relative path; hard links to objects with more than one
// link carry the first path they were seen under.
void visit_links(Id file, const std::string& group_path, bool recursive,
                 const std::function<void(const LinkEntry&)>& fn);

// The links of one group in the order h5py lists them: creation order when
// the group tracks it, else by name (h5py's keys()).
void visit_children_h5py_order(Id file, const std::string& group_path,
                               const std::function<void(const LinkEntry&)>& fn);

// Opens an object by name (H5Oopen); throws on failure.
ObjectId open_object(Id loc, const std::string& name);

// Attributes of an open object in name order; `fn` may read values with
// read_attribute_values(desc.attr).
void visit_attributes(Id obj, const std::function<void(const AttributeDesc&)>& fn);

// Whole-attribute value read in its native memory type.
ValueBuffer read_attribute_values(Id attr);
// Whole-attribute value as stored: the file type as memory type (no conversion:
// byte order, member offsets and float formats as in the file, which is what
// h5py's dtype describes). For types without variable-length data or
// references only (throws an unsupported error otherwise).
ValueBuffer read_attribute_stored(Id attr);

DatasetDesc describe_dataset(Id dset);
SpaceDesc describe_space(Id space);

// Object comment, or "" (H5Oget_comment).
std::string object_comment(Id obj);

// Reads elements [first, first+count) of `dset` in row-major order, in the
// native memory type (the run must be a row-major contiguous hyperslab, as
// produced by plan_slabs). For scalar spaces, first=0,count=1. `step` (empty,
// or one >= 1 per dimension) selects every step-th element instead.
ValueBuffer read_dataset_values(Id dset, const std::vector<std::uint64_t>& start,
                                const std::vector<std::uint64_t>& count, const std::vector<std::uint64_t>& step = {});

// The values of `count` elements of `dset` given as their stored bytes (what
// io::ParallelReader reads with h5dig's own codecs, for data HDF5 has no
// filter for): converted to the native memory type with H5Tconvert, the
// ValueBuffer read_dataset_values would give. Fixed-size types only.
ValueBuffer values_from_stored(Id dset, std::span<const std::byte> stored, std::uint64_t count);

// Reads a row-major hyperslab of `dset` in the dataset's own stored element
// type (no conversion: the bytes as the file holds them) into `out`.
void read_raw_slab(Id dset, const std::vector<std::uint64_t>& start, const std::vector<std::uint64_t>& count,
                   std::vector<std::byte>& out);

// Address of raw data (contiguous/compact) as H5Ddebug reports it, or the
// chunk index address for chunked datasets.
std::uint64_t raw_data_address(Id dset);
// What HDF5's own H5Ddebug prints for `dset` (it writes to the C stdout, so
// the output is captured through a temporary file). h5ls -va prints exactly
// this; h5dig uses it for the chunk-index address, which no public call gives.
std::string debug_text(Id dset);

// Describes a dataset reference target for -d output of object references:
// "DATASET", "GROUP", "DATATYPE" and its address; empty kind if it cannot be
// dereferenced.
struct RefTarget {
  std::string kind;
  unsigned long fileno = 0;
  std::uint64_t addr = 0;
  Id object = -1;  // open object, closed by the RefTarget destructor
  RefTarget() = default;
  RefTarget(RefTarget&& o) noexcept : kind(std::move(o.kind)), fileno(o.fileno), addr(o.addr), object(o.object) { o.object = -1; }
  ~RefTarget();
};
RefTarget dereference_object(Id loc, const void* ref);

}  // namespace h5dig::h5

// Typed, checked wrappers over the HDF5 C API: file, group, dataset, dataspace,
// datatype, property list, attribute.
//
// Every C call is checked; a failure throws h5dig::Error naming the call and
// carrying the HDF5 error stack (walked, never printed: `init()` turns HDF5's
// automatic printing off). Objects are move-only; `id()` reaches the C API.
//
// Thread-safety: none of these may be used from two threads at once. h5dig's
// rule is that HDF5 is entered from one thread at a time (the serial stage of a
// pipeline); codec work never touches these types.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "h5dig/error.hpp"
#include "h5dig/h5/handle.hpp"

namespace h5dig::h5 {

// Idempotent, process-wide set-up: turns HDF5's automatic error-stack printing
// off. Called by every opener below; call it yourself before using raw C calls.
void init();

// Turns HDF5's automatic error-stack printing off in the calling thread: a
// thread-safe HDF5 keeps that setting per thread, and init() set only the one it
// ran in. Never throws.
void quiet_errors_in_this_thread() noexcept;

// The current HDF5 error stack as one line ("outermost description: innermost
// description"), or "" if the stack is empty. Clears the stack.
std::string error_stack_message();

// Throw Error(io) "CALL failed: <stack>" when an id is negative / status < 0.
Id check_id(Id id, std::string_view call);
int check(int status, std::string_view call);  // herr_t
// For H5*exists-style calls returning htri_t: true/false, or throws.
bool check_tri(int value, std::string_view call);  // htri_t

class Dataspace {
 public:
  explicit Dataspace(Id owned) : id_(owned) {}
  static Dataspace scalar();
  static Dataspace simple(std::span<const Size> dims);
  static Dataspace simple(std::span<const Size> dims, std::span<const Size> maxdims);

  Id id() const noexcept { return id_.get(); }
  SpaceClass kind() const;       // H5S_SCALAR, H5S_SIMPLE or H5S_NULL
  int rank() const;
  std::vector<Size> dims() const;
  std::vector<Size> maxdims() const;  // kUnlimited where unlimited
  std::uint64_t element_count() const;   // selected points (all, for a fresh space)
  void select_all();
  // `stride` empty: consecutive elements; else one stride (>= 1) per dimension.
  void select_hyperslab(std::span<const Size> start, std::span<const Size> count,
                        std::span<const Size> stride = {});

 private:
  DataspaceId id_;
};

class Datatype {
 public:
  explicit Datatype(Id owned) : id_(owned) {}
  // A copy of a predefined type, e.g. predefined(Predefined::std_u8le).
  static Datatype copy_of(Id predefined);

  Id id() const noexcept { return id_.get(); }
  TypeClass type_class() const;
  std::size_t size() const;
  ByteOrder order() const;
  bool equals(Id other) const;
  // For an integer type: false if unsigned (H5Tget_sign == H5T_SGN_NONE).
  bool is_signed() const;
  bool is_variable_string() const;
  // The native in-memory equivalent (H5Tget_native_type, ascending direction).
  Datatype native() const;

 private:
  DatatypeId id_;
};

class PropList {
 public:
  explicit PropList(Id owned) : id_(owned) {}
  static PropList create(Id cls);  // e.g. H5P_DATASET_CREATE
  Id id() const noexcept { return id_.get(); }

 private:
  PropListId id_;
};

class Attribute {
 public:
  explicit Attribute(Id owned) : id_(owned) {}
  Id id() const noexcept { return id_.get(); }
  std::string name() const;
  Dataspace space() const;
  Datatype type() const;
  // Reads the whole attribute in `mem_type` into `out` (sized by the caller).
  void read(Id mem_type, void* out) const;

 private:
  AttributeId id_;
};

// Anything with a location: files, groups, datasets (for attributes and links).
class Location {
 public:
  Id id() const noexcept { return id_; }
  std::size_t attribute_count() const;
  Attribute open_attribute(const std::string& name) const;
  Attribute open_attribute(std::size_t index) const;  // by creation/name order
  bool has_attribute(const std::string& name) const;
  // Creates and writes a scalar or 1-D attribute of `file_type` from `data`.
  void write_attribute(const std::string& name, Id file_type, Id mem_type,
                       const Dataspace& space, const void* data) const;
  void write_string_attribute(const std::string& name, std::string_view value) const;
  // Reads a string attribute (fixed or variable length), or nullopt if absent.
  std::optional<std::string> read_string_attribute(const std::string& name) const;

 protected:
  explicit Location(Id id) : id_(id) {}
  Id id_;
};

class Dataset : public Location {
 public:
  explicit Dataset(Id owned) : Location(owned), handle_(owned) {}
  Dataset(Dataset&& other) noexcept : Location(other.id_), handle_(std::move(other.handle_)) {}
  Dataset& operator=(Dataset&& other) noexcept {
    handle_ = std::move(other.handle_);
    id_ = handle_.get();
    return *this;
  }

  Dataspace space() const;
  Datatype type() const;
  PropList create_plist() const;  // H5Dget_create_plist
  Layout layout() const;
  // Chunk shape (empty unless chunked).
  std::vector<Size> chunk_dims() const;
  // Object-header address in the file (H5Oget_info); what format/ starts from.
  Address header_address() const;
  // Bytes allocated for raw data (H5Dget_storage_size).
  Size storage_size() const;
  // File offset of contiguous raw data, or HADDR_UNDEF (H5Dget_offset).
  Address contiguous_offset() const;
  std::string name() const;  // H5Iget_name: a path to it

  void read(Id mem_type, Id mem_space, Id file_space, void* out) const;
  void write(Id mem_type, Id mem_space, Id file_space, const void* in) const;
  void set_extent(std::span<const Size> dims) const;

  // Direct chunk I/O (H5DO in 1.10): raw stored bytes of the chunk at element
  // offset `offset`. read_chunk resizes `out` to the stored size.
  Size chunk_storage_size(std::span<const Size> offset) const;
  void read_chunk(std::span<const Size> offset, std::uint32_t& filter_mask, std::vector<std::byte>& out) const;
  void write_chunk(std::span<const Size> offset, std::uint32_t filter_mask, std::span<const std::byte> data) const;

 private:
  DatasetId handle_;
};

class Group : public Location {
 public:
  explicit Group(Id owned) : Location(owned), handle_(owned) {}
  Group(Group&& other) noexcept : Location(other.id_), handle_(std::move(other.handle_)) {}
  Group& operator=(Group&& other) noexcept {
    handle_ = std::move(other.handle_);
    id_ = handle_.get();
    return *this;
  }

  Group open_group(const std::string& path) const;
  Group create_group(const std::string& path) const;
  Dataset open_dataset(const std::string& path) const;
  // Whether `path` (relative or absolute) resolves to an object; false for
  // dangling links and missing intermediate groups, never throws for those.
  bool exists(const std::string& path) const;
  ObjectType object_type(const std::string& path) const;

 private:
  GroupId handle_;
};

class File {
 public:
  enum class Mode { read_only, read_write };
  // Opens an existing file with the sec2 driver; throws Error(io) naming it.
  static File open(const std::filesystem::path& path, Mode mode = Mode::read_only);
  // Creates (truncating) a file; `fapl`/`fcpl` may be kDefaultPlist.
  static File create(const std::filesystem::path& path, Id fcpl = kDefaultPlist, Id fapl = kDefaultPlist);

  Id id() const noexcept { return id_.get(); }
  const std::filesystem::path& path() const noexcept { return path_; }
  Group root() const;
  void flush() const;
  // Closes now (checked), rather than at destruction.
  void close();

 private:
  File(Id owned, std::filesystem::path path) : id_(owned), path_(std::move(path)) {}
  FileId id_;
  std::filesystem::path path_;
};

// The size in bytes of datatype `type` (H5Tget_size), or 0 if `type` is not a
// valid datatype, in which case the HDF5 error stack is cleared. Never throws.
std::size_t type_size_or_zero(Id type) noexcept;

// The name of the file holding object `obj` (H5Fget_name) and a path to `obj`
// in it (H5Iget_name); "" where HDF5 has none (an anonymous object) or fails.
// Never throw.
std::string file_name_of(Id obj);
std::string path_of(Id obj);

// True if `path` is an HDF5 file (H5Fis_hdf5), false otherwise; never throws.
bool is_hdf5(const std::filesystem::path& path);

}  // namespace h5dig::h5

#include "h5dig/h5/objects.hpp"

#include "h5/hdf5.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::h5 {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // No HDF5 atexit clean-up: after a failed H5Fclose (e.g. disk full while
    // flushing) HDF 1.10.8's H5_term_library crashes in H5F__close_cb at exit.
    // h5dig closes its own handles (RAII); the OS reclaims the rest. Only
    // effective before any other HDF5 call, hence first here.
    (void)H5dont_atexit();
    // HDF5 prints its whole error stack to stderr by default; h5dig walks the
    // stack into one-line messages instead (error_stack_message).
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  });
}

void quiet_errors_in_this_thread() noexcept { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

struct StackFrames {
  std::vector<std::string> descriptions;
};

herr_t collect_frame(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* frames = static_cast<StackFrames*>(data);
  std::string text = err->desc ? err->desc : "";
  if (text.empty()) {
    char minor[256] = {};
    if (H5Eget_msg(err->min_num, nullptr, minor, sizeof minor) > 0) text = minor;
  }
  if (!text.empty()) frames->descriptions.push_back(std::move(text));
  return 0;
}

}  // namespace

std::string error_stack_message() {
  StackFrames frames;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_frame, &frames);
  H5Eclear2(H5E_DEFAULT);
  if (frames.descriptions.empty()) return {};
  // Walking downward, the first frame is the API call's own ("unable to open
  // file") and the last is the innermost cause ("file signature not found").
  // One line: some descriptions carry newlines (the sec2 driver's "time = ...\n").
  for (auto& d : frames.descriptions)
    for (auto& c : d)
      if (c == '\n' || c == '\r') c = ' ';
  const auto& outer = frames.descriptions.front();
  const auto& inner = frames.descriptions.back();
  if (frames.descriptions.size() == 1 || outer == inner) return outer;
  return outer + " (" + inner + ")";
}

namespace {
[[noreturn]] void throw_call_failed(std::string_view call) {
  std::string stack = error_stack_message();
  if (stack.empty()) throw Error(ErrorKind::io, fmt::format("{} failed", call));
  throw Error(ErrorKind::io, fmt::format("{} failed: {}", call, stack));
}
}  // namespace

hid_t check_id(hid_t id, std::string_view call) {
  if (id < 0) throw_call_failed(call);
  return id;
}

herr_t check(herr_t status, std::string_view call) {
  if (status < 0) throw_call_failed(call);
  return status;
}

bool check_tri(htri_t value, std::string_view call) {
  if (value < 0) throw_call_failed(call);
  return value > 0;
}

// ---------------------------------------------------------------- Dataspace

Dataspace Dataspace::scalar() { return Dataspace(check_id(H5Screate(H5S_SCALAR), "H5Screate")); }

Dataspace Dataspace::simple(std::span<const hsize_t> dims) {
  return Dataspace(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "H5Screate_simple"));
}

Dataspace Dataspace::simple(std::span<const hsize_t> dims, std::span<const hsize_t> maxdims) {
  return Dataspace(
      check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()), "H5Screate_simple"));
}

SpaceClass Dataspace::kind() const {
  H5S_class_t k = H5Sget_simple_extent_type(id());
  if (k == H5S_NO_CLASS) throw_call_failed("H5Sget_simple_extent_type");
  return ours(k);
}

int Dataspace::rank() const { return check(H5Sget_simple_extent_ndims(id()), "H5Sget_simple_extent_ndims"); }

std::vector<hsize_t> Dataspace::dims() const {
  std::vector<hsize_t> d(static_cast<std::size_t>(rank()));
  check(H5Sget_simple_extent_dims(id(), d.data(), nullptr), "H5Sget_simple_extent_dims");
  return d;
}

std::vector<hsize_t> Dataspace::maxdims() const {
  std::vector<hsize_t> d(static_cast<std::size_t>(rank()));
  check(H5Sget_simple_extent_dims(id(), nullptr, d.data()), "H5Sget_simple_extent_dims");
  return d;
}

std::uint64_t Dataspace::element_count() const {
  hssize_t n = H5Sget_select_npoints(id());
  if (n < 0) throw_call_failed("H5Sget_select_npoints");
  return static_cast<std::uint64_t>(n);
}

void Dataspace::select_all() { check(H5Sselect_all(id()), "H5Sselect_all"); }

void Dataspace::select_hyperslab(std::span<const hsize_t> start, std::span<const hsize_t> count,
                                 std::span<const hsize_t> stride) {
  check(H5Sselect_hyperslab(id(), H5S_SELECT_SET, start.data(), stride.empty() ? nullptr : stride.data(),
                            count.data(), nullptr),
        "H5Sselect_hyperslab");
}

// ---------------------------------------------------------------- Datatype

Datatype Datatype::copy_of(hid_t predefined) { return Datatype(check_id(H5Tcopy(predefined), "H5Tcopy")); }

TypeClass Datatype::type_class() const {
  H5T_class_t c = H5Tget_class(id());
  if (c == H5T_NO_CLASS) throw_call_failed("H5Tget_class");
  return ours(c);
}

std::size_t Datatype::size() const {
  std::size_t s = H5Tget_size(id());
  if (s == 0) throw_call_failed("H5Tget_size");
  return s;
}

ByteOrder Datatype::order() const { return ours(H5Tget_order(id())); }

bool Datatype::equals(hid_t other) const { return check_tri(H5Tequal(id(), other), "H5Tequal"); }

bool Datatype::is_signed() const { return H5Tget_sign(id()) != H5T_SGN_NONE; }

bool Datatype::is_variable_string() const {
  return type_class() == H5T_STRING && check_tri(H5Tis_variable_str(id()), "H5Tis_variable_str");
}

Datatype Datatype::native() const {
  return Datatype(check_id(H5Tget_native_type(id(), H5T_DIR_ASCEND), "H5Tget_native_type"));
}

// ---------------------------------------------------------------- PropList

PropList PropList::create(hid_t cls) { return PropList(check_id(H5Pcreate(cls), "H5Pcreate")); }

// ---------------------------------------------------------------- Attribute

std::string Attribute::name() const {
  ssize_t n = H5Aget_name(id(), 0, nullptr);
  if (n < 0) throw_call_failed("H5Aget_name");
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  check(static_cast<herr_t>(H5Aget_name(id(), s.size(), s.data()) < 0 ? -1 : 0), "H5Aget_name");
  s.resize(static_cast<std::size_t>(n));
  return s;
}

Dataspace Attribute::space() const { return Dataspace(check_id(H5Aget_space(id()), "H5Aget_space")); }
Datatype Attribute::type() const { return Datatype(check_id(H5Aget_type(id()), "H5Aget_type")); }
void Attribute::read(hid_t mem_type, void* out) const { check(H5Aread(id(), mem_type, out), "H5Aread"); }

// ---------------------------------------------------------------- Location

std::size_t Location::attribute_count() const {
  H5O_info_t info;
  check(H5Oget_info2(id_, &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2");
  return static_cast<std::size_t>(info.num_attrs);
}

Attribute Location::open_attribute(const std::string& name) const {
  return Attribute(check_id(H5Aopen(id_, name.c_str(), H5P_DEFAULT), "H5Aopen"));
}

Attribute Location::open_attribute(std::size_t index) const {
  return Attribute(check_id(H5Aopen_by_idx(id_, ".", H5_INDEX_NAME, H5_ITER_INC, index, H5P_DEFAULT, H5P_DEFAULT),
                            "H5Aopen_by_idx"));
}

bool Location::has_attribute(const std::string& name) const {
  return check_tri(H5Aexists(id_, name.c_str()), "H5Aexists");
}

void Location::write_attribute(const std::string& name, hid_t file_type, hid_t mem_type, const Dataspace& space,
                               const void* data) const {
  AttributeId attr(check_id(H5Acreate2(id_, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
                            "H5Acreate2"));
  check(H5Awrite(attr.get(), mem_type, data), "H5Awrite");
}

void Location::write_string_attribute(const std::string& name, std::string_view value) const {
  // Fixed-length, null-padded UTF-8 of the exact length: readable by h5py as bytes
  // and by h5ls; an empty string still needs a 1-byte type.
  Datatype type = Datatype::copy_of(H5T_C_S1);
  check(H5Tset_size(type.id(), value.empty() ? 1 : value.size()), "H5Tset_size");
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
  std::string buffer(value);
  if (buffer.empty()) buffer.push_back('\0');
  write_attribute(name, type.id(), type.id(), Dataspace::scalar(), buffer.data());
}

std::optional<std::string> Location::read_string_attribute(const std::string& name) const {
  if (!has_attribute(name)) return std::nullopt;
  Attribute attr = open_attribute(name);
  Datatype type = attr.type();
  if (type.type_class() != H5T_STRING) {
    throw Error(ErrorKind::corrupt, fmt::format("attribute {} is not a string", name));
  }
  if (type.is_variable_string()) {
    char* value = nullptr;
    attr.read(type.id(), &value);
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
  }
  std::string out(type.size(), '\0');
  attr.read(type.id(), out.data());
  // Null-padded and null-terminated strings end at the first NUL.
  if (auto nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
  return out;
}

// ---------------------------------------------------------------- Dataset

Dataspace Dataset::space() const { return Dataspace(check_id(H5Dget_space(id()), "H5Dget_space")); }
Datatype Dataset::type() const { return Datatype(check_id(H5Dget_type(id()), "H5Dget_type")); }
PropList Dataset::create_plist() const { return PropList(check_id(H5Dget_create_plist(id()), "H5Dget_create_plist")); }

Layout Dataset::layout() const {
  PropList dcpl = create_plist();
  H5D_layout_t l = H5Pget_layout(dcpl.id());
  if (l < 0) throw_call_failed("H5Pget_layout");
  return ours(l);
}

std::vector<hsize_t> Dataset::chunk_dims() const {
  PropList dcpl = create_plist();
  if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return {};
  int rank = check(H5Pget_chunk(dcpl.id(), 0, nullptr), "H5Pget_chunk");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Pget_chunk(dcpl.id(), rank, dims.data()), "H5Pget_chunk");
  return dims;
}

haddr_t Dataset::header_address() const {
  H5O_info_t info;
  check(H5Oget_info2(id(), &info, H5O_INFO_BASIC), "H5Oget_info2");
  return info.addr;
}

hsize_t Dataset::storage_size() const {
  // H5Dget_storage_size returns 0 both for "nothing allocated" and on error;
  // HDF5 1.10 offers no way to tell them apart, so 0 is taken at its word.
  return H5Dget_storage_size(id());
}

haddr_t Dataset::contiguous_offset() const { return H5Dget_offset(id()); }

std::string Dataset::name() const {
  ssize_t n = H5Iget_name(id(), nullptr, 0);
  if (n < 0) throw_call_failed("H5Iget_name");
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  H5Iget_name(id(), s.data(), s.size());
  s.resize(static_cast<std::size_t>(n));
  return s;
}

void Dataset::read(hid_t mem_type, hid_t mem_space, hid_t file_space, void* out) const {
  util::heartbeat();
  check(H5Dread(id(), mem_type, mem_space, file_space, H5P_DEFAULT, out), "H5Dread");
}

void Dataset::write(hid_t mem_type, hid_t mem_space, hid_t file_space, const void* in) const {
  check(H5Dwrite(id(), mem_type, mem_space, file_space, H5P_DEFAULT, in), "H5Dwrite");
}

void Dataset::set_extent(std::span<const hsize_t> dims) const { check(H5Dset_extent(id(), dims.data()), "H5Dset_extent"); }

hsize_t Dataset::chunk_storage_size(std::span<const hsize_t> offset) const {
  hsize_t n = 0;
  check(H5Dget_chunk_storage_size(id(), offset.data(), &n), "H5Dget_chunk_storage_size");
  return n;
}

void Dataset::read_chunk(std::span<const hsize_t> offset, std::uint32_t& filter_mask,
                         std::vector<std::byte>& out) const {
  util::heartbeat();
  out.resize(chunk_storage_size(offset));
  check(H5Dread_chunk(id(), H5P_DEFAULT, offset.data(), &filter_mask, out.data()), "H5Dread_chunk");
}

void Dataset::write_chunk(std::span<const hsize_t> offset, std::uint32_t filter_mask,
                          std::span<const std::byte> data) const {
  check(H5Dwrite_chunk(id(), H5P_DEFAULT, filter_mask, offset.data(), data.size(), data.data()), "H5Dwrite_chunk");
}

// ---------------------------------------------------------------- Group

Group Group::open_group(const std::string& path) const {
  return Group(check_id(H5Gopen2(id(), path.c_str(), H5P_DEFAULT), "H5Gopen2"));
}

Group Group::create_group(const std::string& path) const {
  return Group(check_id(H5Gcreate2(id(), path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Gcreate2"));
}

Dataset Group::open_dataset(const std::string& path) const {
  util::breadcrumb_object(path);
  return Dataset(check_id(H5Dopen2(id(), path.c_str(), H5P_DEFAULT), "H5Dopen2"));
}

bool Group::exists(const std::string& path) const {
  if (path.empty() || path == "/" || path == ".") return true;
  // H5Lexists fails if an intermediate component is missing, so walk the path
  // one component at a time; the last one must also resolve to an object.
  std::string prefix = path.front() == '/' ? "/" : "";
  std::size_t pos = path.front() == '/' ? 1 : 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (!part.empty()) {
      prefix += part;
      htri_t link = H5Lexists(id(), prefix.c_str(), H5P_DEFAULT);
      if (link <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      htri_t obj = H5Oexists_by_name(id(), prefix.c_str(), H5P_DEFAULT);
      if (obj <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      prefix += "/";
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return true;
}

ObjectType Group::object_type(const std::string& path) const {
  H5O_info_t info;
  check(H5Oget_info_by_name2(id(), path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "H5Oget_info_by_name2");
  return ours(info.type);
}

// ---------------------------------------------------------------- File

File File::open(const std::filesystem::path& path, Mode mode) {
  init();
  // The plain reasons first: HDF5's own message for these is a stack of
  // internals ("file read failed: time = ..., errno = 21").
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw Error(ErrorKind::io,
                fmt::format("{}: {}", path.string(), err == ENOENT ? "no such file" : std::strerror(err)));
  }
  if (S_ISDIR(st.st_mode)) throw Error(ErrorKind::io, fmt::format("{}: is a directory, not an HDF5 file", path.string()));
  unsigned flags = mode == Mode::read_only ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  util::breadcrumb_file(path.string());
  hid_t id = H5Fopen(path.c_str(), flags, H5P_DEFAULT);
  if (id < 0) {
    std::string stack = error_stack_message();
    throw Error(ErrorKind::io, fmt::format("{}: cannot open as HDF5{}", path.string(), stack.empty() ? "" : ": " + stack));
  }
  return File(id, path);
}

File File::create(const std::filesystem::path& path, hid_t fcpl, hid_t fapl) {
  init();
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  if (id < 0) {
    std::string stack = error_stack_message();
    throw Error(ErrorKind::io, fmt::format("{}: cannot create{}", path.string(), stack.empty() ? "" : ": " + stack));
  }
  return File(id, path);
}

Group File::root() const { return Group(check_id(H5Gopen2(id(), "/", H5P_DEFAULT), "H5Gopen2")); }

void File::flush() const { check(H5Fflush(id(), H5F_SCOPE_LOCAL), "H5Fflush"); }

void File::close() {
  if (!id_) return;
  herr_t status = H5Fclose(id_.release());
  check(status, "H5Fclose");
}

std::size_t type_size_or_zero(hid_t type) noexcept {
  std::size_t size = H5Tget_size(type);
  if (size == 0) H5Eclear2(H5E_DEFAULT);
  return size;
}

namespace {
// H5Fget_name / H5Iget_name: the length first, then the characters.
template <typename NameFn>
std::string name_by(NameFn fn, hid_t obj) {
  ssize_t n = fn(obj, nullptr, 0);
  if (n <= 0) return {};
  std::string name(static_cast<std::size_t>(n), '\0');
  fn(obj, name.data(), name.size() + 1);
  return name;
}
}  // namespace

std::string file_name_of(hid_t obj) { return name_by(H5Fget_name, obj); }
std::string path_of(hid_t obj) { return name_by(H5Iget_name, obj); }

bool is_hdf5(const std::filesystem::path& path) {
  init();
  htri_t r = H5Fis_hdf5(path.c_str());
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

}  // namespace h5dig::h5

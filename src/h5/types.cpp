// Where h5/types.hpp meets <hdf5.h>: the aliases must be HDF5's own types and
// every enumerator HDF5's value, so that crossing the door is a static_cast.
#include "h5dig/h5/types.hpp"

#include "h5/hdf5.hpp"

#include <cstddef>
#include <type_traits>

#include "h5dig/h5/handle.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

static_assert(std::is_same_v<Id, hid_t>);
static_assert(std::is_same_v<Size, hsize_t>);
static_assert(std::is_same_v<Address, haddr_t>);
static_assert(std::is_same_v<int, herr_t> && std::is_same_v<int, htri_t>);
static_assert(std::is_same_v<ObjectRef, hobj_ref_t>);
static_assert(sizeof(VlenValue) == sizeof(hvl_t) && offsetof(VlenValue, len) == offsetof(hvl_t, len) &&
              offsetof(VlenValue, p) == offsetof(hvl_t, p));
static_assert(kInvalidId == H5I_INVALID_HID);
static_assert(kDefaultPlist == H5P_DEFAULT);
static_assert(kUnlimited == H5S_UNLIMITED);
static_assert(kUndefinedAddress == HADDR_UNDEF);

#define H5DIG_SAME(ours, theirs) static_assert(static_cast<int>(ours) == static_cast<int>(theirs), #theirs)
H5DIG_SAME(SpaceClass::no_class, H5S_NO_CLASS);
H5DIG_SAME(SpaceClass::scalar, H5S_SCALAR);
H5DIG_SAME(SpaceClass::simple, H5S_SIMPLE);
H5DIG_SAME(SpaceClass::null, H5S_NULL);
H5DIG_SAME(TypeClass::no_class, H5T_NO_CLASS);
H5DIG_SAME(TypeClass::integer, H5T_INTEGER);
H5DIG_SAME(TypeClass::floating, H5T_FLOAT);
H5DIG_SAME(TypeClass::time, H5T_TIME);
H5DIG_SAME(TypeClass::string, H5T_STRING);
H5DIG_SAME(TypeClass::bitfield, H5T_BITFIELD);
H5DIG_SAME(TypeClass::opaque, H5T_OPAQUE);
H5DIG_SAME(TypeClass::compound, H5T_COMPOUND);
H5DIG_SAME(TypeClass::reference, H5T_REFERENCE);
H5DIG_SAME(TypeClass::enumeration, H5T_ENUM);
H5DIG_SAME(TypeClass::vlen, H5T_VLEN);
H5DIG_SAME(TypeClass::array, H5T_ARRAY);
H5DIG_SAME(ByteOrder::error, H5T_ORDER_ERROR);
H5DIG_SAME(ByteOrder::little, H5T_ORDER_LE);
H5DIG_SAME(ByteOrder::big, H5T_ORDER_BE);
H5DIG_SAME(ByteOrder::vax, H5T_ORDER_VAX);
H5DIG_SAME(ByteOrder::mixed, H5T_ORDER_MIXED);
H5DIG_SAME(ByteOrder::none, H5T_ORDER_NONE);
H5DIG_SAME(Sign::error, H5T_SGN_ERROR);
H5DIG_SAME(Sign::none, H5T_SGN_NONE);
H5DIG_SAME(Sign::twos_complement, H5T_SGN_2);
H5DIG_SAME(Layout::error, H5D_LAYOUT_ERROR);
H5DIG_SAME(Layout::compact, H5D_COMPACT);
H5DIG_SAME(Layout::contiguous, H5D_CONTIGUOUS);
H5DIG_SAME(Layout::chunked, H5D_CHUNKED);
H5DIG_SAME(Layout::virtual_, H5D_VIRTUAL);
H5DIG_SAME(ObjectType::unknown, H5O_TYPE_UNKNOWN);
H5DIG_SAME(ObjectType::group, H5O_TYPE_GROUP);
H5DIG_SAME(ObjectType::dataset, H5O_TYPE_DATASET);
H5DIG_SAME(ObjectType::named_datatype, H5O_TYPE_NAMED_DATATYPE);
H5DIG_SAME(LinkType::error, H5L_TYPE_ERROR);
H5DIG_SAME(LinkType::hard, H5L_TYPE_HARD);
H5DIG_SAME(LinkType::soft, H5L_TYPE_SOFT);
H5DIG_SAME(LinkType::external, H5L_TYPE_EXTERNAL);
#undef H5DIG_SAME

Id predefined(Predefined type) {
  init();  // H5T_* macros need the library open
  switch (type) {
    case Predefined::std_u8le: return H5T_STD_U8LE;
    case Predefined::std_u16le: return H5T_STD_U16LE;
    case Predefined::native_uint16: return H5T_NATIVE_UINT16;
  }
  return kInvalidId;
}

namespace detail {
void close_file(Id id) noexcept { (void)H5Fclose(id); }
void close_group(Id id) noexcept { (void)H5Gclose(id); }
void close_dataset(Id id) noexcept { (void)H5Dclose(id); }
void close_dataspace(Id id) noexcept { (void)H5Sclose(id); }
void close_datatype(Id id) noexcept { (void)H5Tclose(id); }
void close_plist(Id id) noexcept { (void)H5Pclose(id); }
void close_attribute(Id id) noexcept { (void)H5Aclose(id); }
void close_object(Id id) noexcept { (void)H5Oclose(id); }
}  // namespace detail

}  // namespace h5dig::h5

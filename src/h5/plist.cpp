#include "h5dig/h5/plist.hpp"

#include "h5/hdf5.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "h5dig/util/breadcrumb.hpp"

namespace h5dig::h5 {

PropList PropList::create(hid_t cls) { return PropList(check_id(H5Pcreate(cls), "H5Pcreate")); }

}  // namespace h5dig::h5

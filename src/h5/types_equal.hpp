// Private to the h5 layer: datatype comparison for naming types.
#pragma once

#include "h5/hdf5.hpp"

namespace h5dig::h5::detail {

// H5Tequal as a plain bool: an error (a type HDF5 cannot compare) counts as
// "not equal" and is cleared, since callers probe a list of candidates.
inline bool types_equal(hid_t a, hid_t b) {
  htri_t r = H5Tequal(a, b);
  if (r < 0) H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

}  // namespace h5dig::h5::detail

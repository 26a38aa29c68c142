// Private to inspect/: the listing reads values in io's bounded row-major slabs.
#pragma once

#include "h5dig/io/slabs.hpp"

namespace h5dig::inspect {
using io::for_each_slab;
}  // namespace h5dig::inspect

// Must NOT compile (ctest Layers.Hdf5HeadersPrivate builds it and expects the
// build to fail): it stands for any file of a layer above h5 that reaches for
// HDF5 directly. HDF5's include directories are PRIVATE to h5dig_h5, so
// <hdf5.h> is not found here.
#include <hdf5.h>

#include "h5dig/io/parallel_reader.hpp"

int hdf5_outside_h5() { return H5open(); }

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

#include "h5dig/h5/error.hpp"
#include "h5dig/h5/dataspace.hpp"
#include "h5dig/h5/datatype.hpp"
#include "h5dig/h5/plist.hpp"
#include "h5dig/h5/attribute.hpp"
#include "h5dig/h5/location.hpp"
#include "h5dig/h5/dataset.hpp"
#include "h5dig/h5/group.hpp"
#include "h5dig/h5/file.hpp"

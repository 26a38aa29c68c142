// Reading and writing a dataset creation property list's filter pipeline.
#pragma once

#include <vector>

#include "h5dig/codec/pipeline.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::h5 {

// The filters recorded in `dcpl`, in pipeline order, with their flags,
// cd_values and stored names (H5Pget_filter2). Works for filters whose plugin is
// not installed: the pipeline message is read as stored.
std::vector<codec::FilterSpec> read_filter_specs(const PropList& dcpl);

// Records `filters` on `dcpl` (H5Pset_filter) exactly as given, so HDF5 and h5ls
// see the pipeline HDF5 or the plugin would have written. For filters with no
// registered HDF5 filter (e.g. bitshuffle without its plugin) the filter is
// registered as an encode-less stub first so the pipeline can be recorded.
void write_filter_specs(const PropList& dcpl, const std::vector<codec::FilterSpec>& filters);

// Whether HDF5 has a real filter for `id` (built in, or a plugin it can load),
// rather than nothing or the encode-less stub write_filter_specs registers.
// A real plugin runs its set_local at dataset creation.
bool filter_has_plugin(unsigned id);

}  // namespace h5dig::h5

#include "h5dig/h5/filters.hpp"

#include "h5/hdf5.hpp"

#include <fmt/format.h>

#include <array>
#include <mutex>
#include <set>

namespace h5dig::h5 {

std::vector<codec::FilterSpec> read_filter_specs(const PropList& dcpl) {
  int n = check(H5Pget_nfilters(dcpl.id()), "H5Pget_nfilters");
  std::vector<codec::FilterSpec> specs;
  specs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    codec::FilterSpec spec;
    // cd_values are few (bitshuffle 5, blosc 7, szip 4); ask for the count first
    // and grow once if a filter stores more.
    std::size_t nelmts = 16;
    std::vector<unsigned> cd(nelmts);
    std::array<char, 256> name{};
    unsigned config = 0;
    H5Z_filter_t id = H5Pget_filter2(dcpl.id(), static_cast<unsigned>(i), &spec.flags, &nelmts, cd.data(),
                                     name.size(), name.data(), &config);
    if (id < 0) check(-1, "H5Pget_filter2");
    if (nelmts > cd.size()) {
      cd.resize(nelmts);
      id = H5Pget_filter2(dcpl.id(), static_cast<unsigned>(i), &spec.flags, &nelmts, cd.data(), name.size(),
                          name.data(), &config);
      if (id < 0) check(-1, "H5Pget_filter2");
    }
    cd.resize(nelmts);
    spec.id = static_cast<unsigned>(id);
    spec.cd_values = std::move(cd);
    spec.name = name.data();
    specs.push_back(std::move(spec));
  }
  return specs;
}

namespace {

// A filter class that lets HDF5 record a pipeline entry for a filter it has no
// plugin for. It is never called to filter data: h5dig writes such chunks with
// H5Dwrite_chunk, which bypasses the pipeline. `can_apply` accepts everything.
htri_t stub_can_apply(hid_t, hid_t, hid_t) { return 1; }
size_t stub_filter(unsigned, size_t, const unsigned[], size_t, size_t*, void**) { return 0; }

std::mutex stub_mutex;
std::set<unsigned> stub_ids;  // filters registered as stubs by this process

void ensure_registered(const codec::FilterSpec& spec) {
  if (spec.id < 256) return;  // HDF5's own filters are always registered
  htri_t avail = H5Zfilter_avail(static_cast<H5Z_filter_t>(spec.id));
  if (avail > 0) return;
  H5Eclear2(H5E_DEFAULT);
  static thread_local std::string name;  // HDF5 keeps the pointer
  name = spec.name.empty() ? codec::filter_name(spec.id) : spec.name;
  H5Z_class2_t cls{};
  cls.version = H5Z_CLASS_T_VERS;
  cls.id = static_cast<H5Z_filter_t>(spec.id);
  cls.encoder_present = 1;
  cls.decoder_present = 1;
  cls.name = strdup(name.c_str());  // lives for the process, as HDF5 requires
  cls.can_apply = stub_can_apply;
  cls.set_local = nullptr;
  cls.filter = stub_filter;
  check(H5Zregister(&cls), "H5Zregister");
  std::lock_guard lock(stub_mutex);
  stub_ids.insert(spec.id);
}

}  // namespace

bool filter_has_plugin(unsigned id) {
  if (id < 256) return true;
  {
    std::lock_guard lock(stub_mutex);
    if (stub_ids.count(id)) return false;
  }
  htri_t avail = H5Zfilter_avail(static_cast<H5Z_filter_t>(id));
  if (avail <= 0) H5Eclear2(H5E_DEFAULT);
  return avail > 0;
}

void write_filter_specs(const PropList& dcpl, const std::vector<codec::FilterSpec>& filters) {
  for (const auto& spec : filters) {
    if (spec.id == codec::kFletcher32Id) {
      check(H5Pset_fletcher32(dcpl.id()), "H5Pset_fletcher32");
      continue;
    }
    ensure_registered(spec);
    check(H5Pset_filter(dcpl.id(), static_cast<H5Z_filter_t>(spec.id), spec.flags, spec.cd_values.size(),
                        spec.cd_values.data()),
          fmt::format("H5Pset_filter({})", spec.id));
  }
}

}  // namespace h5dig::h5

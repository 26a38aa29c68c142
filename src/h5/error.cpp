#include "h5dig/h5/error.hpp"

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

[[noreturn]] void throw_call_failed(std::string_view call) {
  std::string stack = error_stack_message();
  if (stack.empty()) throw Error(ErrorKind::io, fmt::format("{} failed", call));
  throw Error(ErrorKind::io, fmt::format("{} failed: {}", call, stack));
}

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

}  // namespace h5dig::h5

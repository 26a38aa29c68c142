// What the process is reading right now, and proof that it is still moving.
//
// The supervising parent (util/worker.hpp) reports a crash or a hang of the
// worker as one line naming the file and the object being read: the worker
// leaves that trail here. The state lives in a shared anonymous mapping once
// share_breadcrumb() ran (before the fork), so the parent reads what the child
// wrote even after the child died. Without a worker it is ordinary process
// memory and costs the same: a few stores.
//
// heartbeat() is one relaxed atomic increment; call it from any thread at each
// step of work (an HDF5 call, a chunk, a slab). The watchdog kills the worker
// when the count stops moving for its whole period.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace h5dig::util {

// The file now being read (clears the object).
void breadcrumb_file(std::string_view file) noexcept;
// The object inside it now being read ("" = the file itself). Also a heartbeat.
void breadcrumb_object(std::string_view object) noexcept;
void heartbeat() noexcept;

// Moves the state into memory shared with children forked afterwards.
void share_breadcrumb() noexcept;

struct Breadcrumb {
  std::string file, object;
  std::uint64_t beats = 0;
};
Breadcrumb read_breadcrumb() noexcept;
std::uint64_t heartbeat_count() noexcept;

}  // namespace h5dig::util

#include "h5dig/util/breadcrumb.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

namespace h5dig::util {

namespace {

struct State {
  std::atomic<std::uint64_t> beats{0};
  // Written by the worker's one HDF5 thread, read by the parent after the
  // worker stopped (exited, crashed or was killed): no concurrent access.
  char file[4096] = {};
  char object[4096] = {};
};

State g_local;
State* g_state = &g_local;

void copy_text(char (&dst)[4096], std::string_view s) noexcept {
  std::size_t n = std::min(s.size(), sizeof dst - 1);
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

}  // namespace

void breadcrumb_file(std::string_view file) noexcept {
  copy_text(g_state->file, file);
  g_state->object[0] = '\0';
  heartbeat();
}

void breadcrumb_object(std::string_view object) noexcept {
  copy_text(g_state->object, object);
  heartbeat();
}

void heartbeat() noexcept { g_state->beats.fetch_add(1, std::memory_order_relaxed); }

void share_breadcrumb() noexcept {
  if (g_state != &g_local) return;
  void* p = ::mmap(nullptr, sizeof(State), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;  // the parent then names no object: still correct
  g_state = new (p) State;
  std::memcpy(g_state->file, g_local.file, sizeof g_local.file);
  std::memcpy(g_state->object, g_local.object, sizeof g_local.object);
}

Breadcrumb read_breadcrumb() noexcept {
  Breadcrumb b;
  try {
    b.file = g_state->file;
    b.object = g_state->object;
  } catch (...) {
  }
  b.beats = heartbeat_count();
  return b;
}

std::uint64_t heartbeat_count() noexcept { return g_state->beats.load(std::memory_order_relaxed); }

}  // namespace h5dig::util

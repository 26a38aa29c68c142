#include "h5dig/util/interrupt_cleanup.hpp"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace h5dig::util {

namespace {

// The handler may only read memory that is fully written before it can see
// it: a slot's path is copied first, then `state` is set to kReady with
// release order; the handler reads kReady slots only.
constexpr int kSlots = 32;
constexpr int kFree = 0, kClaimed = 1, kReady = 2;

struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};

Slot g_slots[kSlots];
std::atomic<bool> g_installed{false};

extern "C" void on_interrupt(int sig) {
  for (Slot& s : g_slots) {
    if (s.state.load(std::memory_order_acquire) == kReady) ::unlink(s.path);  // async-signal-safe
  }
  // Default action now: the process ends "killed by sig", as without h5dig's handler.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void install_interrupt_cleanup() {
  if (g_installed.exchange(true)) return;
  constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  for (int sig : kSignals) sigaddset(&sa.sa_mask, sig);  // one clean-up at a time
  for (int sig : kSignals) {
    struct sigaction old {};
    // A signal ignored by the parent (nohup, `trap '' INT`) stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

InterruptCleanup::InterruptCleanup(const std::string& path) noexcept {
  if (path.size() >= PATH_MAX) return;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (g_slots[i].state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].state.store(kReady, std::memory_order_release);
      slot_ = i;
      return;
    }
  }
}

InterruptCleanup::~InterruptCleanup() { release(); }

void InterruptCleanup::release() noexcept {
  if (slot_ < 0) return;
  g_slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

}  // namespace h5dig::util

#include "h5dig/util/interrupt_cleanup.hpp"

#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <new>

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

// The slots live in a shared anonymous mapping once installed, so that the
// supervising parent of a worker (util/worker.hpp) sees the temporary names
// its child registered and removes them when the child crashed or was killed.
Slot g_local_slots[kSlots];
Slot* g_slots = g_local_slots;
std::atomic<bool> g_installed{false};

void unlink_registered() noexcept {
  for (int i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[i];
    if (s.state.load(std::memory_order_acquire) == kReady) ::unlink(s.path);  // async-signal-safe
  }
}

extern "C" void on_interrupt(int sig) {
  unlink_registered();
  // Default action now: the process ends "killed by sig", as without h5dig's handler.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void install_interrupt_cleanup() {
  if (g_installed.exchange(true)) return;
  void* shared = ::mmap(nullptr, sizeof(Slot) * kSlots, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared != MAP_FAILED) {
    Slot* slots = static_cast<Slot*>(shared);
    for (int i = 0; i < kSlots; ++i) {
      new (&slots[i]) Slot;
      if (g_local_slots[i].state.load(std::memory_order_acquire) == kReady) {
        std::memcpy(slots[i].path, g_local_slots[i].path, sizeof slots[i].path);
        slots[i].state.store(kReady, std::memory_order_release);
      }
    }
    g_slots = slots;
  }
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

void remove_registered_outputs() noexcept { unlink_registered(); }

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

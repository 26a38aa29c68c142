#include "h5dig/exec/push_pipeline.hpp"

#include <oneapi/tbb/task_arena.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "exec/arena.hpp"  // allow_threads

namespace h5dig::exec::detail {

namespace {

// One pushed item and the state of its transform. Slots live in a std::deque
// and are only added at the back and removed at the front, so a running task's
// reference to its slot stays valid.
struct Slot {
  void* item = nullptr;
  bool done = false;          // guarded by Sync::mutex
  std::exception_ptr error;   // written by the task before `done`
};

}  // namespace

// What tasks share with the caller. Tasks never touch State itself: only this,
// through the pointer they captured, which outlives them (see ~PushCore).
struct Sync {
  std::function<void(void*, std::size_t)> transform;
  std::size_t threads = 1;
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t running = 0;  // tasks enqueued and not yet finished
  bool stopping = false;    // set by the destructor: skip transforms not yet begun
  // Worker numbers not in use. A task takes one for the length of its
  // transform: TBB's arena slot index is not it (an arena of one thread with no
  // slot reserved for the caller puts its worker in slot 1), and the arena runs
  // at most `threads` tasks at once, so one is always free.
  std::vector<std::size_t> free_workers;
};

struct PushCore::State {
  std::function<void(void*)> destroy;
  std::deque<Slot> slots;  // caller's thread only (plus `done` under the mutex)
  Sync sync;
  // The pool: enqueued tasks run on TBB worker threads in an arena of
  // `threads` slots none of which is reserved for the caller, who never enters
  // it (it pushes and pops; HDF5 stays on its thread).
  std::optional<tbb::task_arena> arena;
};

PushCore::PushCore(const PipelineOptions& options, std::function<void(void*, std::size_t)> transform,
                   std::function<void(void*)> destroy)
    : state_(std::make_unique<State>()) {
  const std::size_t threads = resolved_threads(options);
  state_->destroy = std::move(destroy);
  state_->sync.transform = std::move(transform);
  state_->sync.threads = threads;
  for (std::size_t w = threads; w-- > 0;) state_->sync.free_workers.push_back(w);
  allow_threads(threads + 1);  // the pool, and the caller beside it
  state_->arena.emplace(static_cast<int>(threads), 0);
}

PushCore::~PushCore() {
  Sync& sync = state_->sync;
  {
    std::unique_lock lock(sync.mutex);
    sync.stopping = true;
    sync.changed.wait(lock, [&] { return sync.running == 0; });
  }
  for (Slot& slot : state_->slots) state_->destroy(slot.item);
  // The arena is destroyed after its last task finished (running == 0 was set
  // under the mutex by that task, which touches nothing of ours afterwards).
}

std::size_t PushCore::threads() const noexcept { return state_->sync.threads; }
std::size_t PushCore::size() const noexcept { return state_->slots.size(); }

void PushCore::push(void* item) {
  Slot& slot = state_->slots.emplace_back();
  slot.item = item;
  Sync* sync = &state_->sync;
  {
    std::lock_guard lock(sync->mutex);
    ++sync->running;
  }
  state_->arena->enqueue([sync, slot = &slot] {
    bool skip = false, overrun = false;
    std::size_t worker = 0;
    {
      std::lock_guard lock(sync->mutex);
      if (sync->stopping) {
        skip = true;
      } else if (sync->free_workers.empty()) {
        skip = overrun = true;
      } else {
        worker = sync->free_workers.back();
        sync->free_workers.pop_back();
      }
    }
    if (!skip) {
      try {
        sync->transform(slot->item, worker);
      } catch (...) {
        slot->error = std::current_exception();
      }
    } else if (overrun) {
      slot->error = std::make_exception_ptr(std::logic_error("exec: more tasks ran at once than the pool has threads"));
    }
    std::lock_guard lock(sync->mutex);
    if (!skip) sync->free_workers.push_back(worker);
    slot->done = true;
    --sync->running;
    sync->changed.notify_all();
  });
}

void* PushCore::pop(bool wait) {
  if (state_->slots.empty()) return nullptr;
  Slot& front = state_->slots.front();
  Sync& sync = state_->sync;
  {
    std::unique_lock lock(sync.mutex);
    if (!front.done) {
      if (!wait) return nullptr;
      sync.changed.wait(lock, [&] { return front.done; });
    }
  }
  void* item = front.item;
  std::exception_ptr error = front.error;
  state_->slots.pop_front();
  if (error) {
    state_->destroy(item);
    std::rethrow_exception(error);
  }
  return item;
}

}  // namespace h5dig::exec::detail

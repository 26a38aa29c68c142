// BackgroundTask: one function run on a thread of its own, beside the caller.
//
// exec's pipelines fan work out over a pool; some work is not a pipeline but one
// long-lived or overlapping task: a signal waiter beside a server's accept loop,
// the write of one slab while the next is read. BackgroundTask is the one way
// h5dig starts such a thread, so that every thread h5dig creates comes from exec/
// (pools are TBB's, inside exec's pipelines).
//
// The task starts in the constructor. join() waits for it and rethrows what it
// threw. The destructor also waits (a task never outlives its owner, so it may
// capture the caller's locals by reference) but discards the exception: call
// join() to see it. Make the task end before destroying it (close its queue,
// signal it): the destructor does not interrupt it.
//
// Signals: h5dig blocks SIGINT/SIGTERM where it waits for them with sigwait; a
// new thread inherits the creating thread's signal mask. signal() delivers a
// signal to the task's thread only (pthread_kill), e.g. to wake its sigwait.
#pragma once

#include <exception>
#include <functional>
#include <memory>

namespace h5dig::exec {

class BackgroundTask {
 public:
  // No task (joinable() is false).
  BackgroundTask() noexcept;
  // Starts `task` on a new thread. Throws std::system_error if it cannot start.
  explicit BackgroundTask(std::function<void()> task);
  // Waits for the task; its exception, if any, is discarded. Never throws.
  ~BackgroundTask();
  BackgroundTask(BackgroundTask&&) noexcept;
  // Waits for the task this one held (as the destructor does), then takes `other`'s.
  BackgroundTask& operator=(BackgroundTask&&) noexcept;
  BackgroundTask(const BackgroundTask&) = delete;
  BackgroundTask& operator=(const BackgroundTask&) = delete;

  // Whether a task was started and not yet joined.
  bool joinable() const noexcept;
  // Waits for the task to return, then rethrows its exception. Afterwards
  // joinable() is false.
  void join();
  // Sends `sig` to the task's thread (nothing if not joinable). Thread-safe
  // against the task itself; not against join() or the destructor.
  void signal(int sig) const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace h5dig::exec

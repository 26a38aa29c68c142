#include "h5dig/exec/background.hpp"

#include <pthread.h>
#include <csignal>

#include <thread>
#include <utility>

namespace h5dig::exec {

struct BackgroundTask::State {
  std::exception_ptr error;  // written by the task, read after join
  std::thread thread;
};

BackgroundTask::BackgroundTask() noexcept = default;

BackgroundTask::BackgroundTask(std::function<void()> task) : state_(std::make_unique<State>()) {
  State* state = state_.get();  // stable: the State outlives the thread (joined before it is freed)
  state->thread = std::thread([state, task = std::move(task)] {
    try {
      task();
    } catch (...) {
      state->error = std::current_exception();
    }
  });
}

BackgroundTask::~BackgroundTask() {
  if (joinable()) state_->thread.join();
}

BackgroundTask::BackgroundTask(BackgroundTask&&) noexcept = default;

BackgroundTask& BackgroundTask::operator=(BackgroundTask&& other) noexcept {
  if (this != &other) {
    if (joinable()) state_->thread.join();
    state_ = std::move(other.state_);
  }
  return *this;
}

bool BackgroundTask::joinable() const noexcept { return state_ && state_->thread.joinable(); }

void BackgroundTask::join() {
  if (!joinable()) return;
  state_->thread.join();
  if (auto error = std::exchange(state_->error, nullptr)) std::rethrow_exception(error);
}

void BackgroundTask::signal(int sig) const noexcept {
  if (joinable()) ::pthread_kill(state_->thread.native_handle(), sig);
}

}  // namespace h5dig::exec

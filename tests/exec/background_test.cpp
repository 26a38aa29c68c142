#include "h5dig/exec/background.hpp"

#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <stdexcept>

namespace h5dig::exec {
namespace {

TEST(ExecBackgroundTask, RunsBesideTheCallerAndJoinRethrows) {
  std::atomic<int> ran{0};
  BackgroundTask ok([&] { ++ran; });
  ok.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_FALSE(ok.joinable());
  ok.join();  // nothing left to wait for

  BackgroundTask failing([] { throw std::runtime_error("task failed"); });
  EXPECT_TRUE(failing.joinable());
  EXPECT_THROW(failing.join(), std::runtime_error);
}

TEST(ExecBackgroundTask, DestructorWaitsAndSwallowsTheError) {
  std::atomic<bool> finished{false};
  {
    BackgroundTask t([&] {
      finished = true;
      throw std::runtime_error("dropped");
    });
  }
  EXPECT_TRUE(finished.load());
}

TEST(ExecBackgroundTask, MoveAssignmentWaitsForTheOldTask) {
  std::atomic<int> ran{0};
  BackgroundTask t([&] { ++ran; });
  t = BackgroundTask([&] { ++ran; });
  t.join();
  EXPECT_EQ(ran.load(), 2);
}

TEST(ExecBackgroundTask, SignalWakesASigwait) {
  // The waiting thread inherits the blocked mask, as `h5dig serve`'s waiter does.
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
  int got = 0;
  {
    BackgroundTask waiter([&] { sigwait(&set, &got); });
    waiter.signal(SIGUSR1);
    waiter.join();
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(got, SIGUSR1);
}

}  // namespace
}  // namespace h5dig::exec

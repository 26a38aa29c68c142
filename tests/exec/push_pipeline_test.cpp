#include "h5dig/exec/push_pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <thread>

namespace h5dig::exec {
namespace {

struct Job {
  std::size_t index = 0;
  std::uint64_t value = 0;
  std::size_t worker = 0;
};

std::unique_ptr<Job> job(std::size_t i) {
  auto j = std::make_unique<Job>();
  j->index = i;
  return j;
}

TEST(ExecPushPipeline, PopsEveryItemInPushOrderTransformed) {
  for (std::size_t threads : {1u, 2u, 7u}) {
    PushPipeline<Job> p({.threads = threads}, [&](Job& j, std::size_t worker) {
      j.worker = worker;
      j.value = j.index * j.index;
    });
    EXPECT_EQ(p.threads(), threads);
    std::vector<std::size_t> seen;
    std::set<std::size_t> workers;
    auto take = [&](bool wait) {
      auto j = p.pop(wait);
      if (!j) return false;
      EXPECT_EQ(j->value, j->index * j->index);
      EXPECT_LT(j->worker, threads);
      workers.insert(j->worker);
      seen.push_back(j->index);
      return true;
    };
    for (std::size_t i = 0; i < 1000; ++i) {
      while (p.size() >= 8) take(true);  // the caller bounds what is in flight
      p.push(job(i));
      while (take(false)) {
      }
    }
    while (take(true)) {
    }
    EXPECT_TRUE(p.empty());
    std::vector<std::size_t> expected(1000);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(seen, expected) << threads << " threads";
  }
}

TEST(ExecPushPipeline, TransformsRunOnThePoolNotTheCaller) {
  const auto caller = std::this_thread::get_id();
  std::mutex m;
  std::set<std::thread::id> ids;
  PushPipeline<Job> p({.threads = 2}, [&](Job&, std::size_t) {
    std::lock_guard lock(m);
    ids.insert(std::this_thread::get_id());
  });
  for (std::size_t i = 0; i < 50; ++i) p.push(job(i));
  while (p.pop(true)) {
  }
  EXPECT_FALSE(ids.empty());
  EXPECT_EQ(ids.count(caller), 0u);
  EXPECT_LE(ids.size(), 2u);
}

TEST(ExecPushPipeline, PopWithoutWaitDoesNotBlock) {
  std::atomic<bool> release{false};
  PushPipeline<Job> p({.threads = 1}, [&](Job&, std::size_t) {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  EXPECT_EQ(p.pop(false), nullptr);  // nothing pushed
  p.push(job(0));
  EXPECT_EQ(p.pop(false), nullptr);  // not done yet
  EXPECT_EQ(p.size(), 1u);
  release = true;
  auto j = p.pop(true);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->index, 0u);
}

TEST(ExecPushPipeline, AnEscapingExceptionIsRethrownAtItsTurnAndLaterItemsStillCome) {
  PushPipeline<Job> p({.threads = 2}, [&](Job& j, std::size_t) {
    if (j.index == 3) throw std::runtime_error("bad item 3");
    j.value = 1;
  });
  for (std::size_t i = 0; i < 6; ++i) p.push(job(i));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(p.pop(true)->index, i);
  EXPECT_THROW(
      {
        try {
          p.pop(true);
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "bad item 3");
          throw;
        }
      },
      std::runtime_error);
  for (std::size_t i = 4; i < 6; ++i) EXPECT_EQ(p.pop(true)->index, i);
}

TEST(ExecPushPipeline, DestructionDropsQueuedItemsAndWaitsForRunningOnes) {
  std::atomic<int> started{0}, finished{0}, alive{0};
  struct Counted {
    std::atomic<int>* alive = nullptr;
    ~Counted() {
      if (alive) --*alive;
    }
  };
  {
    PushPipeline<Counted> p({.threads = 2}, [&](Counted&, std::size_t) {
      ++started;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ++finished;
    });
    for (int i = 0; i < 40; ++i) {
      auto c = std::make_unique<Counted>();
      c->alive = &alive;
      ++alive;
      p.push(std::move(c));
    }
    while (started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(started.load(), finished.load());  // none cut off mid-transform
  EXPECT_LT(started.load(), 40);               // the queued rest were skipped
  EXPECT_EQ(alive.load(), 0);                  // and every item freed
}

}  // namespace
}  // namespace h5dig::exec
